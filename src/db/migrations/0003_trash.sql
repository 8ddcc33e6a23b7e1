ALTER TABLE `incident_updates` ADD `deleted_at` integer;--> statement-breakpoint
ALTER TABLE `incidents` ADD `deleted_at` integer;