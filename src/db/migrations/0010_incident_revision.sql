-- The revision column is drizzle-kit's; the triggers that keep it are written by hand (drizzle's snapshots do not track triggers).
ALTER TABLE `incidents` ADD `revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `incident_updates_revise_after_insert` AFTER INSERT ON `incident_updates` WHEN NEW.incident_id IS NOT NULL BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = NEW.incident_id; END;
--> statement-breakpoint
CREATE TRIGGER `incident_updates_revise_after_update` AFTER UPDATE ON `incident_updates` BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` IN (OLD.incident_id, NEW.incident_id); END;
--> statement-breakpoint
CREATE TRIGGER `incident_updates_revise_after_delete` AFTER DELETE ON `incident_updates` WHEN OLD.incident_id IS NOT NULL BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = OLD.incident_id; END;
--> statement-breakpoint
CREATE TRIGGER `incident_components_revise_after_insert` AFTER INSERT ON `incident_components` WHEN NEW.incident_id IS NOT NULL BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = NEW.incident_id; END;
--> statement-breakpoint
CREATE TRIGGER `incident_components_revise_after_update` AFTER UPDATE ON `incident_components` BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` IN (OLD.incident_id, NEW.incident_id); END;
--> statement-breakpoint
CREATE TRIGGER `incident_components_revise_after_delete` AFTER DELETE ON `incident_components` WHEN OLD.incident_id IS NOT NULL BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = OLD.incident_id; END;
--> statement-breakpoint
CREATE TRIGGER `component_status_log_revise_after_insert` AFTER INSERT ON `component_status_log` WHEN NEW.incident_id IS NOT NULL BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = NEW.incident_id; END;
--> statement-breakpoint
CREATE TRIGGER `component_status_log_revise_after_update` AFTER UPDATE ON `component_status_log` BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` IN (OLD.incident_id, NEW.incident_id); END;
--> statement-breakpoint
CREATE TRIGGER `component_status_log_revise_after_delete` AFTER DELETE ON `component_status_log` WHEN OLD.incident_id IS NOT NULL BEGIN UPDATE `incidents` SET `revision` = `revision` + 1 WHERE `id` = OLD.incident_id; END;
