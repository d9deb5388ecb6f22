// Package paging pages the on-call chain for every open urgent or high
// task, driven from the database rather than by a workflow per task.
//
// A page's progress (which step of the chain, how many repeats, what is
// due when) lives in its row of the pages table. A Runner beside each
// worker claims the pages that are due (a lease, so a runner that dies
// leaves its pages to another), advances each by the same rules the
// TaskPage workflow followed, and saves the next state:
//
//   - step 0 pages first call at once; a person no channel reached is
//     skipped at once;
//   - otherwise the step waits its priority's acknowledgement deadline,
//     escalates the task (acknowledged or resolved: the page ends) and
//     pages the next person;
//   - past the end of the chain (or with no one on call) the last
//     reachable person and the webhook are paged again at each deadline,
//     Repeats times, then a note ends the page;
//   - a step that reaches nobody for GiveUpAfter counts as failed (a
//     note), waits FailedWait and moves on.
//
// Sends are at least once and never twice per (task, step, channel): the
// page_sends record (activities.PageSend) is the guard. The first page of
// a red flag is started by the webhook's router (store.PageStart); an
// urgent or high task raised by a journey or an activity is started by
// the runners. Both wake the runners through PostgreSQL's LISTEN/NOTIFY
// (the start, the task's insert); Interval's look is the backstop.
package paging
