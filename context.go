package assent

import "context"

type contextKey int

const (
	userContextKey contextKey = iota + 1
	requestIDContextKey
)

// NewContextWithUser returns a context that carries the user acting in it.
// Services read it to check permissions and to name the actor of events.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the user acting in ctx, or nil when nobody is.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// NewContextWithRequestID returns a context that carries the request id that
// events and logs written on its behalf record.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDContextKey, id)
}

// RequestIDFromContext returns the request id of ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDContextKey).(string)
	return id
}

// SystemUser returns an admin actor for work that no person started over the
// network: offline commands ("cli"), first start ("system").
func SystemUser(name string) *User {
	return &User{Username: name, DisplayName: name, Role: RoleAdmin, System: true}
}
