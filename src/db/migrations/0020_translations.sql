CREATE TABLE `translations` (
	`incident_id` text NOT NULL,
	`update_id` integer NOT NULL,
	`locale` text NOT NULL,
	`text` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`incident_id`, `update_id`, `locale`)
);
--> statement-breakpoint
ALTER TABLE `subscribers` ADD `locale` text;--> statement-breakpoint
-- By hand, as in 0010: a translation is part of its incident, so writing one revises it (the read model's kept merges, live-log.ts).
CREATE TRIGGER `translations_revise_after_insert` AFTER INSERT ON `translations` BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = NEW.incident_id; END;
--> statement-breakpoint
CREATE TRIGGER `translations_revise_after_update` AFTER UPDATE ON `translations` BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` IN (OLD.incident_id, NEW.incident_id); END;
--> statement-breakpoint
CREATE TRIGGER `translations_revise_after_delete` AFTER DELETE ON `translations` BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = OLD.incident_id; END;
