package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"
)

type subscriptionOutput struct {
	Body struct {
		Subscribed bool `json:"subscribed"`
	}
}

// subscriptionRoutes registers following and unfollowing an item.
func (s *Server) subscriptionRoutes(api huma.API) {
	register(api, "GET", "/items/{id}/subscription", "getSubscription", "Whether I follow an item (directly or through its project)", 0, s.handleSubscriptionGet)
	register(api, "POST", "/items/{id}/subscription", "subscribe", "Follow an item: mail about its sign-offs", 0, s.subscription(true))
	register(api, "DELETE", "/items/{id}/subscription", "unsubscribe", "Stop following an item", 0, s.subscription(false))
}

func (s *Server) handleSubscriptionGet(ctx context.Context, in *itemIDInput) (*subscriptionOutput, error) {
	on, err := s.Subscriptions.IsSubscribed(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &subscriptionOutput{}
	out.Body.Subscribed = on
	return out, nil
}

func (s *Server) subscription(on bool) func(context.Context, *itemIDInput) (*subscriptionOutput, error) {
	return func(ctx context.Context, in *itemIDInput) (*subscriptionOutput, error) {
		var err error
		if on {
			err = s.Subscriptions.Subscribe(ctx, in.ID)
		} else {
			err = s.Subscriptions.Unsubscribe(ctx, in.ID)
		}
		if err != nil {
			return nil, s.apiError(ctx, err)
		}
		return s.handleSubscriptionGet(ctx, in)
	}
}
