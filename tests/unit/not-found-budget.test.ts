// A client past its budget of 404s waits for each further one; others do not,
// and the table never grows past its bound.
import { describe, expect, it } from 'vitest';
import { NotFoundBudget } from '../../src/lib/server/http/not-found-budget';

describe('NotFoundBudget', () => {
  const options = { perWindow: 3, windowMs: 1000, pauseMs: 250, maxClients: 2 };

  it('pauses a client past its budget, only that client, until the window turns', () => {
    const budget = new NotFoundBudget(options);
    budget.notePage(0);
    expect([1, 2, 3, 4, 5].map(() => budget.take('203.0.113.9', 0))).toEqual([0, 0, 0, 250, 250]);
    expect(budget.take('198.51.100.4', 10)).toBe(0);
    budget.notePage(900);
    expect(budget.take('203.0.113.9', 999)).toBe(250);
    expect(budget.take('203.0.113.9', 1000)).toBe(0);
  });

  it('beyond its bound, new clients share one count instead of growing the table', () => {
    const budget = new NotFoundBudget(options);
    budget.notePage(0);
    budget.take('a', 0);
    budget.take('b', 0);
    // Made-up addresses past the bound are one client: three of them exhaust it.
    expect(['c', 'd', 'e', 'f'].map((client) => budget.take(client, 1))).toEqual([0, 0, 0, 250]);
    expect(budget.take('a', 2)).toBe(0);
  });

  it('with no page served in the last second, nobody is there to protect: no pause', () => {
    const budget = new NotFoundBudget(options);
    expect([1, 2, 3, 4, 5].map(() => budget.take('203.0.113.9', 0))).toEqual([0, 0, 0, 0, 0]);
    budget.notePage(10);
    expect(budget.take('203.0.113.9', 20)).toBe(250);
    expect(budget.take('203.0.113.9', 1010)).toBe(0);
  });
});
