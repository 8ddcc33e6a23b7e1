CREATE TABLE `reader_links_used` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reader_links_used_expiry` ON `reader_links_used` (`expires_at`);