ALTER TABLE `incidents` ADD `closed_at` integer;--> statement-breakpoint
CREATE INDEX `incidents_closed_at` ON `incidents` (`closed_at`);--> statement-breakpoint
CREATE INDEX `component_status_log_incident` ON `component_status_log` (`incident_id`);--> statement-breakpoint
-- Backfill: an incident is closed when its latest update (by time, then id) closes it.
UPDATE `incidents` SET `closed_at` = (
  SELECT u.`at` FROM `incident_updates` u
  WHERE u.`incident_id` = `incidents`.`id` AND u.`deleted_at` IS NULL
  ORDER BY u.`at` DESC, u.`id` DESC LIMIT 1
) WHERE (
  SELECT u.`status` FROM `incident_updates` u
  WHERE u.`incident_id` = `incidents`.`id` AND u.`deleted_at` IS NULL
  ORDER BY u.`at` DESC, u.`id` DESC LIMIT 1
) IN ('resolved', 'postmortem', 'completed');
