-- why: a verify run now records one summary event (counts and a digest over
-- every object's outcome) instead of one event per object, so each object's
-- latest check must name the run it belongs to: `run_event_id` is the id of
-- that run's summary `fixity_check` event. NULL for checks recorded before
-- this migration (their runs logged an event per object as well).
ALTER TABLE fixity ADD COLUMN run_event_id INTEGER REFERENCES events(id);
