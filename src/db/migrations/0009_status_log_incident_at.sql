DROP INDEX `component_status_log_incident`;--> statement-breakpoint
CREATE INDEX `component_status_log_incident_at` ON `component_status_log` (`incident_id`,`at`);