CREATE TABLE `notify_job_channels` (
	`job_id` integer NOT NULL,
	`channel` text NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`last_sent_at` integer,
	PRIMARY KEY(`job_id`, `channel`),
	FOREIGN KEY (`job_id`) REFERENCES `notify_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
