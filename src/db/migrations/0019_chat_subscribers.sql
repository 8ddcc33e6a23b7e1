ALTER TABLE `subscribers` ADD `platform` text;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `label` text;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `last_sent_at` integer;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `last_error` text;