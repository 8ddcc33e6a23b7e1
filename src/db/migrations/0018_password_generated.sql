ALTER TABLE `users` ADD `password_generated` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- The first owner whose printed password was never changed: its holder is asked to choose their own too.
UPDATE `users` SET `password_generated` = 1 WHERE `email` = 'admin@example.com' AND `password_changed_at` = `created_at`;
