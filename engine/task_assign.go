package engine

import (
	"context"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// AssignMe names the calling person in an assignment or a filter.
const AssignMe = "me"

// AssignTask gives a task to a person who signs in: userID is a user's ID,
// AssignMe (the caller, who must be a person, not an API key) or empty (to
// nobody). The person must be active and work tasks (admin or care team).
// Assigning a task to whom it already has records nothing new; a resolved
// task is ECONFLICT. Audited as task.assign or task.unassign.
func (e *Engine) AssignTask(ctx context.Context, a carepath.Actor, id, userID string) (TaskDetail, error) {
	if err := validID(id, "task"); err != nil {
		return TaskDetail{}, err
	}
	userID, err := assignee(a, userID)
	if err != nil {
		return TaskDetail{}, err
	}
	action := "task.assign"
	if userID == "" {
		action = "task.unassign"
	}
	return e.changeTask(ctx, a, id, action, func(q *store.Queries, t carepath.Task) error {
		if t.Status == carepath.TaskResolved {
			return carepath.Errorf(carepath.ECONFLICT, "task is resolved")
		}
		if userID != "" {
			if err := assignable(ctx, q, userID); err != nil {
				return err
			}
		}
		_, err := q.TaskAssign(ctx, id, userID, a.Name())
		return err
	})
}

// assignee resolves the user_id of an assignment: AssignMe is the calling
// person; anything else but empty must be a user ID.
func assignee(a carepath.Actor, userID string) (string, error) {
	switch userID {
	case "":
		return "", nil
	case AssignMe:
		if a.Kind != carepath.ActorUser {
			return "", carepath.Invalid("user_id", `"me" needs a person signed in; an API key is no one: give a user ID`)
		}
		return a.ID, nil
	}
	if _, err := uuid.Parse(userID); err != nil {
		return "", carepath.Invalid("user_id", `must be a user ID, "me" or "" (nobody)`)
	}
	return userID, nil
}

// assignable checks that a task may be given to the user.
func assignable(ctx context.Context, q *store.Queries, userID string) error {
	u, err := q.UserGet(ctx, userID)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return carepath.Invalid("user_id", "is not a known user")
	}
	if err != nil {
		return err
	}
	if !u.Active {
		return carepath.Invalid("user_id", "is not an active user")
	}
	if u.Role != carepath.RoleAdmin && u.Role != carepath.RoleCareTeam {
		return carepath.Invalid("user_id", "must be a care-team member or an admin (read-only people work no tasks)")
	}
	return nil
}

// assignedFilter resolves the assigned_to filter: AssignMe is the calling
// person, "none" nobody, anything else but empty a user ID.
func assignedFilter(a carepath.Actor, v string) (string, error) {
	switch v {
	case "", store.TaskUnassigned:
		return v, nil
	case AssignMe:
		if a.Kind != carepath.ActorUser {
			return "", carepath.Invalid("assigned_to", `"me" needs a person signed in; an API key is no one: give a user ID`)
		}
		return a.ID, nil
	}
	if _, err := uuid.Parse(v); err != nil {
		return "", carepath.Invalid("assigned_to", `must be "me", "none" or a user ID`)
	}
	return v, nil
}

// validReason checks the reason filter: a task reason is one line of text.
func validReason(r string) error {
	if r == "" {
		return nil
	}
	if len(r) > 500 || !utf8.ValidString(r) {
		return carepath.Invalid("reason", "must be a task reason (at most 500 characters)")
	}
	for _, c := range r {
		if unicode.IsControl(c) {
			return carepath.Invalid("reason", "must be a task reason (one line of text)")
		}
	}
	return nil
}
