CREATE TABLE `incident_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`impact` text NOT NULL,
	`status` text NOT NULL,
	`components` text NOT NULL,
	`next_update` text,
	`duration` text,
	`message` text NOT NULL,
	`follow_ups` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `incidents` ADD `template_id` text;