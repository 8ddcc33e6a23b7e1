CREATE INDEX `incident_components_component` ON `incident_components` (`component_id`);--> statement-breakpoint
CREATE INDEX `incidents_kind_started_at` ON `incidents` (`kind`,`started_at`);