CREATE TABLE `uptime_corrections` (
	`component_id` text NOT NULL,
	`day` text NOT NULL,
	`percent` real NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`component_id`, `day`),
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `uptime_corrections_day` ON `uptime_corrections` (`day`);