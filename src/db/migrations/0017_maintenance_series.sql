CREATE TABLE `maintenance_series` (
	`id` text PRIMARY KEY NOT NULL,
	`rule` text NOT NULL,
	`time_zone` text NOT NULL,
	`first_start` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`next_start` integer,
	`source` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `maintenance_series_next_start` ON `maintenance_series` (`next_start`);--> statement-breakpoint
ALTER TABLE `incidents` ADD `series_id` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `occurrence_of` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_series_occurrence` ON `incidents` (`series_id`,`occurrence_of`);