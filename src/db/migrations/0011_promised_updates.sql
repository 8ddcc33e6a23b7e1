ALTER TABLE `incident_updates` ADD `posted_by` integer;--> statement-breakpoint
ALTER TABLE `incident_updates` ADD `next_update_by` integer;--> statement-breakpoint
ALTER TABLE `incident_updates` ADD `promise_kept_at` integer;--> statement-breakpoint
ALTER TABLE `incident_updates` ADD `overdue_alerted_at` integer;--> statement-breakpoint
CREATE INDEX `incident_updates_open_promises` ON `incident_updates` (`next_update_by`) WHERE promise_kept_at IS NULL;