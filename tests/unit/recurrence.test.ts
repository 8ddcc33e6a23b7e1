// Recurrence is the rrule library's, checked here against RFC 5545's own
// examples and across both daylight-saving changes in the page's zone.
import { describe, expect, it } from 'vitest';
import { checkRule, checkSeries, occurrenceStarts } from '../../src/lib/recurrence';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('recurrence rules', () => {
  it('expands RFC 5545 examples as the RFC lists them (America/New_York, across the October change)', () => {
    // "Every other week on Tuesday and Thursday, for 8 occurrences", DTSTART;TZID=America/New_York:19970902T090000
    expect(iso(occurrenceStarts('FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH', new Date('1997-09-02T13:00:00Z'), 'America/New_York'))).toEqual([
      '1997-09-02T13:00:00.000Z', '1997-09-04T13:00:00.000Z', '1997-09-16T13:00:00.000Z', '1997-09-18T13:00:00.000Z',
      '1997-09-30T13:00:00.000Z', '1997-10-02T13:00:00.000Z', '1997-10-14T13:00:00.000Z', '1997-10-16T13:00:00.000Z',
    ]);
    // "Monthly on the first Friday for 10 occurrences": 09:00 EDT, then 09:00 EST after 26 Oct 1997.
    const firstFridays = occurrenceStarts('FREQ=MONTHLY;COUNT=10;BYDAY=1FR', new Date('1997-09-05T13:00:00Z'), 'America/New_York');
    expect(firstFridays.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '1997-09-05', '1997-10-03', '1997-11-07', '1997-12-05', '1998-01-02', '1998-02-06', '1998-03-06', '1998-04-03', '1998-05-01', '1998-06-05',
    ]);
    expect(firstFridays[2].toISOString()).toBe('1997-11-07T14:00:00.000Z');
    // "Monthly on the second-to-last Monday of the month for 6 months"
    expect(occurrenceStarts('FREQ=MONTHLY;COUNT=6;BYDAY=-2MO', new Date('1997-09-22T13:00:00Z'), 'America/New_York').map((d) => d.toISOString().slice(0, 10))).toEqual([
      '1997-09-22', '1997-10-20', '1997-11-17', '1997-12-22', '1998-01-19', '1998-02-16',
    ]);
  });

  it('keeps a 02:00 weekly window at 02:00 in Europe/Berlin across both changes, and moves a skipped 02:30 an hour on', () => {
    const sundays = occurrenceStarts('FREQ=WEEKLY;BYDAY=SU;COUNT=3', new Date('2027-03-21T01:00:00Z'), 'Europe/Berlin');
    // 21 Mar 02:00 CET; 28 Mar has no 02:00 (clocks go 02:00 → 03:00): read with the offset before, 03:00 CEST; 4 Apr 02:00 CEST.
    expect(iso(sundays)).toEqual(['2027-03-21T01:00:00.000Z', '2027-03-28T01:00:00.000Z', '2027-04-04T00:00:00.000Z']);
    const halfPast = occurrenceStarts('FREQ=WEEKLY;COUNT=2', new Date('2027-03-21T01:30:00Z'), 'Europe/Berlin');
    expect(iso(halfPast)).toEqual(['2027-03-21T01:30:00.000Z', '2027-03-28T01:30:00.000Z']);
    const autumn = occurrenceStarts('FREQ=WEEKLY;BYDAY=SU;COUNT=3', new Date('2027-10-24T00:00:00Z'), 'Europe/Berlin');
    // 24 Oct 02:00 CEST, 31 Oct 02:00 (the change: the first of the two 02:00s, CEST, as RFC 5545 reads it), 7 Nov 02:00 CET.
    expect(iso(autumn)).toEqual(['2027-10-24T00:00:00.000Z', '2027-10-31T00:00:00.000Z', '2027-11-07T01:00:00.000Z']);
  });

  it('ends with UNTIL read on the wall clock, and lists only what is after a time', () => {
    const starts = occurrenceStarts('FREQ=WEEKLY;UNTIL=20270404T020000Z', new Date('2027-03-14T01:00:00Z'), 'Europe/Berlin');
    expect(starts).toHaveLength(4); // 14, 21, 28 Mar, 4 Apr at 02:00 local
    expect(occurrenceStarts('FREQ=WEEKLY;COUNT=10', new Date('2027-03-14T01:00:00Z'), 'Europe/Berlin', { after: new Date('2027-04-01T00:00:00Z'), limit: 2 })).toHaveLength(2);
  });

  it('refuses rules it cannot plan with, saying why', () => {
    expect(checkRule('RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=8')).toEqual({ ok: true, rule: 'FREQ=WEEKLY;BYDAY=SU;COUNT=8' });
    expect(checkRule('FREQ=WEEKLY;BYDAY=SU')).toMatchObject({ ok: false, reason: expect.stringMatching(/COUNT=<n> or UNTIL/) });
    expect(checkRule('FREQ=HOURLY;COUNT=3')).toMatchObject({ ok: false, reason: expect.stringMatching(/DAILY, WEEKLY or MONTHLY/) });
    expect(checkRule('FREQ=WEEKLY;COUNT=9999')).toMatchObject({ ok: false, reason: expect.stringMatching(/from 1 to 520/) });
    expect(checkRule('DTSTART:20270101T000000Z;FREQ=WEEKLY;COUNT=2')).toMatchObject({ ok: false });
    expect(checkRule('every sunday')).toMatchObject({ ok: false });
    expect(checkRule('')).toMatchObject({ ok: false });
  });

  it('refuses, without throwing or stalling, whatever a hostile or careless hand writes', () => {
    // (A rule that walked without end, as rrule does with INTERVAL=-1, would hang here until the test times out.)
    const refused = (rule: string) => {
      const checked = checkSeries(rule, new Date('2027-03-14T01:00:00Z'), 'Europe/Berlin');
      return checked.ok ? 'ok' : checked.reason;
    };
    for (const rule of ['FREQ=DAILY;INTERVAL=-1;COUNT=2', 'FREQ=DAILY;INTERVAL=0;COUNT=2', 'FREQ=DAILY;INTERVAL=1.5;COUNT=2']) expect(refused(rule)).toMatch(/INTERVAL must be/);
    for (const rule of ['FREQ=WEEKLY;COUNT=-1', 'FREQ=WEEKLY;COUNT=1.5', 'FREQ=WEEKLY;COUNT=abc', 'FREQ=WEEKLY;COUNT=0']) expect(refused(rule)).toMatch(/COUNT must be/);
    expect(refused('FREQ=MONTHLY;BYMONTH=2;COUNT=2')).toMatch(/BYMONTH is not taken here/);
    expect(refused('FREQ=DAILY;INTERVAL=7;BYDAY=MO;COUNT=2')).toMatch(/FREQ=DAILY takes no BYDAY/);
    expect(refused('FREQ=MONTHLY;BYMONTHDAY=14;BYDAY=FR;COUNT=2')).toMatch(/not both/);
    expect(refused('FREQ=WEEKLY;BYDAY=XX;COUNT=2')).toMatch(/BYDAY must be/);
    expect(refused('FREQ=MONTHLY;BYSETPOS=0;COUNT=2')).toMatch(/BYSETPOS must be/);
    expect(refused('FREQ=DAILY;BYHOUR=0,1,2,3;COUNT=2')).toMatch(/BYHOUR is not taken here.*time of day/);
    expect(refused('FREQ=WEEKLY;COUNT=2;COUNT=3')).toMatch(/given twice/);
    expect(refused('FREQ=WEEKLY;COUNT=2;UNTIL=20271231')).toMatch(/not both/);
    expect(refused('FREQ=WEEKLY;BYDAY=1SU;COUNT=2')).toMatch(/for FREQ=MONTHLY/);
    expect(refused(`FREQ=WEEKLY;COUNT=2;${'X'.repeat(300)}`)).toMatch(/at most 200/);
    expect(refused('FREQ=WEEKLY;=;COUNT=2')).toMatch(/not an RRULE|not taken/);
    // Rules whose days never come, which rrule would look for month after month to the year 9999.
    expect(refused('FREQ=MONTHLY;BYDAY=SU;BYSETPOS=6;COUNT=2')).toMatch(/gives no window at all/);
    expect(checkSeries('FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31;COUNT=2', new Date('2027-04-14T00:00:00Z'), 'Europe/Berlin')).toMatchObject({ ok: false, reason: expect.stringMatching(/gives no window at all/) });
    // And the shapes people use: the second Sunday, the last weekday, every other week.
    expect(refused('FREQ=MONTHLY;BYDAY=2SU;COUNT=12')).toBe('ok');
    expect(refused('FREQ=MONTHLY;BYDAY=SU;BYSETPOS=2;COUNT=12')).toBe('ok');
    expect(refused('FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,WE;UNTIL=20280101')).toBe('ok');
    expect(checkSeries('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6', new Date('2027-03-31T20:00:00Z'), 'Europe/Berlin')).toMatchObject({ ok: true });
    expect(refused('FREQ=DAILY;UNTIL=20990101')).toMatch(/more than 520 windows/);
    expect(refused('FREQ=MONTHLY;COUNT=200')).toMatch(/at most 10 years/);
    expect(refused('FREQ=WEEKLY;UNTIL=20400101')).toMatch(/at most 10 years|more than 520/);
    // Lower case is read as written in capitals; a date alone means that whole day.
    expect(checkRule('freq=weekly;byday=su;count=8')).toEqual({ ok: true, rule: 'FREQ=WEEKLY;BYDAY=SU;COUNT=8' });
    expect(checkRule('FREQ=WEEKLY;UNTIL=20270404')).toEqual({ ok: true, rule: 'FREQ=WEEKLY;UNTIL=20270404T235959Z' });
    expect(occurrenceStarts(checkRule('FREQ=WEEKLY;UNTIL=20270404').ok ? 'FREQ=WEEKLY;UNTIL=20270404T235959Z' : '', new Date('2027-03-14T01:00:00Z'), 'Europe/Berlin')).toHaveLength(4);
  });
});
