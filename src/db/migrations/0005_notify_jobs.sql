CREATE TABLE `notify_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event` text NOT NULL,
	`incident_id` text NOT NULL,
	`update_id` integer,
	`component_ids` text NOT NULL,
	`last_subscriber_id` integer NOT NULL,
	`confirmed_before` integer NOT NULL,
	`expanded_through` integer DEFAULT 0 NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`expanded_at` integer,
	`dropped_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notify_jobs_event_unique` ON `notify_jobs` (`event`);--> statement-breakpoint
CREATE INDEX `notify_jobs_expanded` ON `notify_jobs` (`expanded_at`);--> statement-breakpoint
CREATE INDEX `notify_jobs_incident` ON `notify_jobs` (`incident_id`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `job_id` integer REFERENCES notify_jobs(id);--> statement-breakpoint
CREATE INDEX `outbox_job` ON `outbox` (`job_id`,`status`);