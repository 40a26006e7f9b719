-- 服务机构与基地: a base's 年度计划数 (见习岗位, 实训 or 培养 places of the year) and
-- its 指导教师数, behind the 基地计划数 and 指导教师数 of the screens (issue 13). Both
-- optional in the feed; a registry exported before them leaves them empty.
ALTER TABLE ods_facility_registry ADD COLUMN planned_places TEXT;
ALTER TABLE ods_facility_registry ADD COLUMN instructors TEXT;
ALTER TABLE dwd_facility ADD COLUMN planned_places BIGINT;
ALTER TABLE dwd_facility ADD COLUMN instructors BIGINT;
ALTER TABLE dwd_facility_superseded ADD COLUMN planned_places BIGINT;
ALTER TABLE dwd_facility_superseded ADD COLUMN instructors BIGINT;
ALTER TABLE dwd_facility_history ADD COLUMN planned_places BIGINT;
ALTER TABLE dwd_facility_history ADD COLUMN instructors BIGINT;
ALTER TABLE dwd_facility_history_superseded ADD COLUMN planned_places BIGINT;
ALTER TABLE dwd_facility_history_superseded ADD COLUMN instructors BIGINT;
