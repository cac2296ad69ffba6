-- The PostgreSQL baseline: the ticket system an agency would build on PostgreSQL, with the
-- same routing and deadline rules as the workflows closeloop runs (engine/tests/workflows/
-- hazard_disposal.wf and oversight_case.wf). pg_bench loads this file into a fresh database,
-- feeds it the same JSONL stream as closeloop, COPYs each batch of events into `events` and
-- calls cl_process on it in the same transaction (one commit per batch).
-- Set-based where the work is set-shaped (the escalation scan fires every due timer of a
-- tick with one UPDATE per ladder step, through the index on next_due); row by row, in
-- event order, where order matters (commands, dedup).

CREATE TABLE events (           -- every input, as received: the system's record of truth
  seq bigint PRIMARY KEY,       -- position in the stream
  id text NOT NULL UNIQUE,      -- the sender's id: a re-sent event is refused, not applied twice
  body_type text NOT NULL,
  subject text,
  jurisdiction text,
  occurred_at bigint,           -- ms since the epoch
  body jsonb NOT NULL,
  new_ticket text               -- the id a ticket opened by this event gets (assigned by the client)
);

CREATE TABLE clock (id int PRIMARY KEY, now timestamptz NOT NULL);
INSERT INTO clock VALUES (1, 'epoch');

-- Routing tables (RoutingTableUpdated): category '' is a district-only row.
CREATE TABLE routing (
  table_name text NOT NULL, district text NOT NULL, category text NOT NULL, lead text NOT NULL,
  PRIMARY KEY (table_name, district, category)
);

-- The official calendar (CalendarUpdated), precomputed: cum = working days up to and
-- including `day`; working_days numbers them. N working days after t = close of
-- working_days[cum(day of t) + N] (engine/calendar.h, convention 1).
CREATE TABLE calendar_days (day date PRIMARY KEY, cum int NOT NULL);
CREATE TABLE working_days (ord int PRIMARY KEY, day date NOT NULL);
CREATE TABLE calendar_info (id int PRIMARY KEY, zone text NOT NULL, work_end interval NOT NULL);

CREATE TABLE tickets (
  id text PRIMARY KEY,
  workflow text NOT NULL,
  subject text NOT NULL,
  jurisdiction text NOT NULL,
  district text NOT NULL,
  category text,
  severity text,
  sensor text,
  department text NOT NULL,     -- the lead department: its queue
  state text NOT NULL,
  state_entered_at timestamptz NOT NULL,
  deadline timestamptz,
  next_step int NOT NULL DEFAULT 0,  -- the escalation ladder's next step (1..4), 0 = none
  next_due timestamptz,              -- when it fires; NULL = nothing pending
  overdue boolean NOT NULL DEFAULT false,
  returns int NOT NULL DEFAULT 0,
  reopens int NOT NULL DEFAULT 0,
  recurring_noted boolean NOT NULL DEFAULT false,
  opened_at timestamptz NOT NULL,
  first_event_at bigint,             -- occurred_at of the opening event (dedup window)
  closed_at timestamptz,
  resolution text,
  note text
);
CREATE INDEX tickets_queue ON tickets (department, state);         -- a department's queue
CREATE INDEX tickets_state ON tickets (state);                     -- counts by state
CREATE INDEX tickets_due ON tickets (next_due) WHERE next_due IS NOT NULL;  -- escalation scan
CREATE INDEX tickets_subject ON tickets (subject, opened_at);       -- dedup, recurrences

-- What the system decided, per ticket (closeloop's engine records).
CREATE TABLE ticket_log (
  ticket_id text NOT NULL,
  at timestamptz NOT NULL,
  action text NOT NULL,
  department text,
  event_seq bigint,
  detail text
);
CREATE INDEX ticket_log_ticket ON ticket_log (ticket_id);

CREATE FUNCTION add_working_days(t timestamptz, n int) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT (w.day + i.work_end) AT TIME ZONE i.zone
  FROM calendar_info i
  JOIN calendar_days c ON c.day = (t AT TIME ZONE i.zone)::date
  JOIN working_days w ON w.ord = c.cum + n
  WHERE i.id = 1
$$;

-- The state limits of the two workflows.
CREATE FUNCTION deadline_for(wf text, st text, sev text, t timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN wf = 'hazard_disposal' AND st = 'dispatched' THEN t + interval '2 hours'
    WHEN wf = 'hazard_disposal' AND st = 'verifying' THEN add_working_days(t, 1)
    WHEN wf = 'hazard_disposal' AND st = 'rectifying'
      THEN add_working_days(t, CASE WHEN sev = 'major' THEN 30 ELSE 5 END)
    WHEN wf = 'hazard_disposal' AND st = 'reviewing' THEN add_working_days(t, 3)
    WHEN wf = 'oversight_case' AND st = 'received' THEN add_working_days(t, 2)
    WHEN wf = 'oversight_case' AND st = 'investigating' THEN add_working_days(t, 20)
  END
$$;

-- hazard_disposal's ladder: 1 remind at 80% of the limit, 2 overdue at the limit (mark,
-- notify head), 3 escalate to the parent at limit + 2 working days, 4 (in rectifying only)
-- chain an oversight case at limit + 5 working days. oversight_case has no ladder.
CREATE FUNCTION step_due(wf text, st text, step int, entered timestamptz, deadline timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN wf <> 'hazard_disposal' OR deadline IS NULL THEN NULL
    WHEN step = 1 THEN entered + (deadline - entered) * 0.8
    WHEN step = 2 THEN deadline
    WHEN step = 3 THEN add_working_days(deadline, 2)
    WHEN step = 4 AND st = 'rectifying' THEN add_working_days(deadline, 5)
  END
$$;

-- Fires every timer due by now_: one UPDATE per round through tickets_due, each round
-- firing the next ladder step of every due ticket, until nothing is due.
CREATE FUNCTION cl_fire_due(now_ timestamptz, seq_ bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  fired bigint := 0;
  n bigint;
BEGIN
  LOOP
    WITH due AS (
      UPDATE tickets t SET
        next_step = t.next_step + 1,
        overdue = t.overdue OR t.next_step = 2,
        next_due = step_due(t.workflow, t.state, t.next_step + 1, t.state_entered_at, t.deadline)
      WHERE t.next_due <= now_
      RETURNING t.id, t.next_step - 1 AS step, t.department, t.subject, t.jurisdiction,
                t.district, t.category
    ), logged AS (
      INSERT INTO ticket_log (ticket_id, at, action, department, event_seq)
      SELECT d.id, now_, a.action, d.department, seq_
      FROM due d CROSS JOIN LATERAL unnest(CASE d.step
        WHEN 1 THEN ARRAY['reminded'] WHEN 2 THEN ARRAY['overdue', 'notified_head']
        WHEN 3 THEN ARRAY['escalated_parent'] ELSE ARRAY['chained_oversight'] END) AS a(action)
      RETURNING 1
    ), chained AS (
      INSERT INTO tickets (id, workflow, subject, jurisdiction, district, category, department,
                           state, state_entered_at, deadline, opened_at)
      SELECT d.id || '/oversight', 'oversight_case', d.subject, d.jurisdiction, d.district,
             d.category,
             coalesce((SELECT r.lead FROM routing r WHERE r.table_name = 'oversight_routing'
                         AND r.district = d.district AND r.category = ''), 'nj.jw'),
             'received', now_, add_working_days(now_, 2), now_
      FROM due d WHERE d.step = 4
      RETURNING id, department
    ), chain_logged AS (
      INSERT INTO ticket_log (ticket_id, at, action, department, event_seq)
      SELECT c.id, now_, 'opened', c.department, seq_ FROM chained c
      RETURNING 1
    )
    SELECT count(*) INTO n FROM due;
    EXIT WHEN n = 0;
    fired := fired + n;
  END LOOP;
  RETURN fired;
END
$$;

-- Opens a hazard_disposal ticket for event e, routed by hazard_routing (category, district),
-- the district-only row, or the workflow's fallback.
CREATE FUNCTION cl_open(e events, now_ timestamptz, cat text, sev text, sensor_ text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  dist text := split_part(e.jurisdiction, '.', 1);
  dept text;
  dl timestamptz := deadline_for('hazard_disposal', 'dispatched', sev, now_);
BEGIN
  SELECT r.lead INTO dept FROM routing r
  WHERE r.table_name = 'hazard_routing' AND r.district = dist AND r.category IN (cat, '')
  ORDER BY r.category DESC LIMIT 1;
  dept := coalesce(dept, 'safety_office');
  INSERT INTO tickets (id, workflow, subject, jurisdiction, district, category, severity, sensor,
                       department, state, state_entered_at, deadline, next_step, next_due,
                       opened_at, first_event_at)
  VALUES (e.new_ticket, 'hazard_disposal', e.subject, e.jurisdiction, dist, cat, sev, sensor_,
          dept, 'dispatched', now_, dl, 1,
          step_due('hazard_disposal', 'dispatched', 1, now_, dl), now_, e.occurred_at);
  INSERT INTO ticket_log (ticket_id, at, action, department, event_seq)
  VALUES (e.new_ticket, now_, 'opened', dept, e.seq), (e.new_ticket, now_, 'routed', dept, e.seq);
END
$$;

CREATE FUNCTION cl_log(tid text, now_ timestamptz, action text, dept text, seq_ bigint,
                       detail text DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
  INSERT INTO ticket_log VALUES (tid, now_, action, dept, seq_, detail)
$$;

-- A staff command: the ticket's state machine, who may act (the assignee = the lead
-- department; reviews by a supervisor), returns and ping-pong, reopens and recurrences.
CREATE FUNCTION cl_command(e events, now_ timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t tickets;
  verb text := e.body->>'verb';
  role_ text := e.body->>'role';
  dept text := e.body->>'department';
  nxt text;
  to_dept text;
  dl timestamptz;
BEGIN
  SELECT * INTO t FROM tickets WHERE id = e.body->>'ticket_id' FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM cl_log(e.body->>'ticket_id', now_, 'rejected', dept, e.seq, 'unknown_ticket');
    RETURN;
  END IF;
  IF (verb IN ('review_pass', 'review_fail') AND role_ <> 'supervisor')
     OR (verb NOT IN ('review_pass', 'review_fail') AND dept <> t.department) THEN
    PERFORM cl_log(t.id, now_, 'rejected', dept, e.seq, 'not_permitted');
    RETURN;
  END IF;
  CASE t.state || '/' || verb
    WHEN 'dispatched/sign_for' THEN nxt := 'verifying';
    WHEN 'dispatched/return' THEN
      nxt := 'dispatched';
      to_dept := e.body->>'to_department';
    WHEN 'verifying/resolve' THEN
      IF e.body->'fields' @> '[{"key": "resolution", "value": "false_alarm"}]' THEN
        nxt := 'closed';
      END IF;
    WHEN 'verifying/order_rectification' THEN nxt := 'rectifying';
    WHEN 'rectifying/progress' THEN
      UPDATE tickets SET note = e.body->>'note' WHERE id = t.id;
      PERFORM cl_log(t.id, now_, 'progressed', dept, e.seq, e.body->>'note');
      RETURN;
    WHEN 'rectifying/submit_evidence' THEN nxt := 'reviewing';
    WHEN 'reviewing/review_pass' THEN nxt := 'closed';
    WHEN 'reviewing/review_fail' THEN nxt := 'rectifying';
    ELSE NULL;
  END CASE;
  IF nxt IS NULL THEN
    PERFORM cl_log(t.id, now_, 'rejected', dept, e.seq, 'wrong_state');
    RETURN;
  END IF;
  dl := deadline_for(t.workflow, nxt, t.severity, now_);
  UPDATE tickets SET
    state = nxt,
    department = coalesce(to_dept, department),
    returns = returns + (to_dept IS NOT NULL)::int,
    reopens = reopens + (verb = 'review_fail')::int,
    state_entered_at = now_,
    deadline = dl,
    next_step = CASE WHEN nxt = 'closed' THEN 0 ELSE 1 END,
    next_due = CASE WHEN nxt = 'closed' THEN NULL
                    ELSE step_due(t.workflow, nxt, 1, now_, dl) END,
    closed_at = CASE WHEN nxt = 'closed' THEN now_ END,
    resolution = CASE WHEN nxt = 'closed' THEN
                   CASE WHEN verb = 'resolve' THEN 'false_alarm' ELSE 'rectified' END END
  WHERE id = t.id
  RETURNING * INTO t;
  PERFORM cl_log(t.id, now_, verb, dept, e.seq, to_dept);
  IF t.returns >= 3 AND to_dept IS NOT NULL AND t.returns = 3 THEN
    PERFORM cl_log(t.id, now_, 'arbitration', t.department, e.seq);
  END IF;
  IF verb = 'review_fail' AND NOT t.recurring_noted AND
     (SELECT count(*) FROM tickets s WHERE s.subject = t.subject
        AND s.workflow = 'hazard_disposal' AND s.opened_at >= now_ - interval '90 days') >= 2 THEN
    UPDATE tickets SET recurring_noted = true WHERE id = t.id;
    PERFORM cl_log(t.id, now_, 'notified_head', t.department, e.seq, 'recurring');
  END IF;
END
$$;

-- Applies events [lo, hi) in order, at the clock the last ClockTick set.
CREATE FUNCTION cl_process(lo bigint, hi bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e events;
  now_ timestamptz;
  tid text;
BEGIN
  SELECT c.now INTO now_ FROM clock c WHERE c.id = 1;
  FOR e IN SELECT * FROM events WHERE seq >= lo AND seq < hi ORDER BY seq LOOP
    CASE e.body_type
      WHEN 'ClockTick' THEN
        now_ := to_timestamp((e.body->>'now')::bigint / 1000.0);
        PERFORM cl_fire_due(now_, e.seq);
      WHEN 'HazardReport' THEN
        PERFORM cl_open(e, now_, e.body->>'category', e.body->>'severity', NULL);
      WHEN 'SensorAlarm' THEN
        IF e.body->>'state' = 'alarm' AND e.body->>'level' IN ('alarm', 'critical') THEN
          -- dedup by subject, sensor within 30 minutes of the ticket's first alarm
          SELECT t.id INTO tid FROM tickets t
          WHERE t.subject = e.subject AND t.sensor = e.body->>'sensor_id'
            AND t.workflow = 'hazard_disposal' AND t.state <> 'closed'
            AND t.first_event_at >= e.occurred_at - 30 * 60000
          ORDER BY t.opened_at DESC LIMIT 1;
          IF FOUND THEN
            PERFORM cl_log(tid, now_, 'event_attached', NULL, e.seq);
          ELSE
            PERFORM cl_open(e, now_, 'hazardous_chemicals', 'major', e.body->>'sensor_id');
          END IF;
        ELSIF e.body->>'state' = 'normal' THEN
          FOR tid IN
            UPDATE tickets t SET state = 'closed', resolution = 'cleared', closed_at = now_,
                   state_entered_at = now_, deadline = NULL, next_step = 0, next_due = NULL
            WHERE t.subject = e.subject AND t.sensor = e.body->>'sensor_id'
              AND t.state = 'dispatched'
            RETURNING t.id
          LOOP
            PERFORM cl_log(tid, now_, 'closed', NULL, e.seq, 'cleared');
          END LOOP;
        END IF;
      WHEN 'StaffCommand' THEN
        PERFORM cl_command(e, now_);
      ELSE
        NULL;  -- reference data, workflows: kept in events; routing and calendars the client loads
    END CASE;
  END LOOP;
  UPDATE clock SET now = now_ WHERE id = 1;
END
$$;
