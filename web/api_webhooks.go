package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assent"
)

type webhookOutput struct {
	Body *assent.Webhook
}

type webhookCreateOutput struct {
	Body struct {
		*assent.Webhook
		Secret string `json:"secret" doc:"Signs every delivery; shown only now."`
	}
}

type webhookCreateInput struct {
	Body struct {
		URL        string   `json:"url" maxLength:"2000" example:"https://chat.example.com/hooks/governance"`
		EventTypes []string `json:"event_types" maxItems:"100" doc:"Event actions, prefixes such as signoff.*, or * for all."`
		Secret     string   `json:"secret,omitempty" maxLength:"200" doc:"Left out: a random whsec_ secret."`
	}
}

// handleWebhookCreate registers a webhook and shows its secret once.
func (s *Server) handleWebhookCreate(ctx context.Context, in *webhookCreateInput) (*webhookCreateOutput, error) {
	w, secret, err := s.Webhooks.CreateWebhook(ctx, assent.NewWebhook{URL: in.Body.URL, EventTypes: in.Body.EventTypes, Secret: in.Body.Secret})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &webhookCreateOutput{}
	out.Body.Webhook, out.Body.Secret = w, secret
	return out, nil
}

type webhookListOutput struct {
	Body struct {
		Items      []*assent.Webhook `json:"items"`
		NextCursor string            `json:"next_cursor"`
	}
}

// handleWebhookList lists the webhooks.
func (s *Server) handleWebhookList(ctx context.Context, _ *struct{}) (*webhookListOutput, error) {
	list, err := s.Webhooks.FindWebhooks(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &webhookListOutput{}
	out.Body.Items = list
	return out, nil
}

type webhookIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

// handleWebhookGet returns one webhook.
func (s *Server) handleWebhookGet(ctx context.Context, in *webhookIDInput) (*webhookOutput, error) {
	w, err := s.Webhooks.FindWebhook(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &webhookOutput{Body: w}, nil
}

type webhookUpdateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body assent.WebhookUpdate
}

// handleWebhookUpdate changes a webhook; enabling it clears its failures.
func (s *Server) handleWebhookUpdate(ctx context.Context, in *webhookUpdateInput) (*webhookOutput, error) {
	w, err := s.Webhooks.UpdateWebhook(ctx, in.ID, in.Body)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &webhookOutput{Body: w}, nil
}

// handleWebhookDelete disables a webhook for good; its log stays.
func (s *Server) handleWebhookDelete(ctx context.Context, in *webhookIDInput) (*struct{}, error) {
	if err := s.Webhooks.DeleteWebhook(ctx, in.ID); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return nil, nil
}

type deliveryListInput struct {
	ID     string `path:"id" maxLength:"64"`
	Limit  int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor string `query:"cursor"`
}

type deliveryListOutput struct {
	Body struct {
		Items      []*assent.Delivery `json:"items"`
		NextCursor string             `json:"next_cursor"`
	}
}

// handleDeliveryList lists a webhook's deliveries with every attempt.
func (s *Server) handleDeliveryList(ctx context.Context, in *deliveryListInput) (*deliveryListOutput, error) {
	list, next, err := s.Webhooks.FindDeliveries(ctx, in.ID, in.Limit, in.Cursor)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &deliveryListOutput{}
	out.Body.Items, out.Body.NextCursor = list, next
	return out, nil
}

// webhookRoutes registers the webhook operations (admins).
func (s *Server) webhookRoutes(api huma.API) {
	register(api, "GET", "/webhooks", "listWebhooks", "List webhooks (admin)", 0, s.handleWebhookList)
	register(api, "POST", "/webhooks", "createWebhook", "Create a webhook; its secret is shown once (admin)", http.StatusCreated, s.handleWebhookCreate)
	register(api, "GET", "/webhooks/{id}", "getWebhook", "Get a webhook (admin)", 0, s.handleWebhookGet)
	register(api, "PATCH", "/webhooks/{id}", "updateWebhook", "Change or enable/disable a webhook (admin)", 0, s.handleWebhookUpdate)
	register(api, "DELETE", "/webhooks/{id}", "deleteWebhook", "Disable a webhook for good; its deliveries stay (admin)", http.StatusNoContent, s.handleWebhookDelete)
	register(api, "GET", "/webhooks/{id}/deliveries", "listWebhookDeliveries", "A webhook's deliveries with each attempt, newest first (admin)", 0, s.handleDeliveryList)
}
