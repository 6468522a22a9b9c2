// Package web is Assent's HTTP side: the JSON API under /api/v1 (described
// by an OpenAPI document generated from the Go types), health and metrics
// endpoints, and the middleware that authenticates every request.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"assent"
)

// Services are what the server serves; cmd/assent wires the sqldb ones.
type Services struct {
	Users         assent.UserService
	Groups        assent.GroupService
	Tokens        assent.TokenService
	Sessions      assent.SessionService
	Events        assent.EventService
	Templates     assent.TemplateService
	Items         assent.ItemService
	Attachments   assent.AttachmentService
	Blobs         assent.BlobStore
	Views         assent.ItemViewService
	Sources       assent.SourceService
	Governables   assent.GovernableService
	Sync          assent.SyncService
	Rules         assent.GovernanceRuleService
	Registries    assent.RegistryService
	Signoffs      assent.SignoffService
	Metrics       assent.MetricService
	Deployments   assent.DeploymentService
	Webhooks      assent.WebhookService
	Subscriptions assent.SubscriptionService
	// Mailer sends the admin's test email at once; notifications go
	// through the outbox.
	Mailer        assent.Mailer
	EmailSettings assent.EmailSettingsService
}

// Config holds the server's settings.
type Config struct {
	Version string
	// InstanceName is shown in the page titles and the navigation.
	InstanceName string
	// ExternalURL is the address people use; https makes cookies Secure.
	ExternalURL string
	// BehindProxy trusts X-Forwarded-For for the client address (used to
	// slow down password guessing) and X-Forwarded-Proto for TLS.
	BehindProxy bool
	// MaxUploadBytes bounds one attachment (default 50 MB).
	MaxUploadBytes int64
	// Ready reports whether the server can take traffic (/readyz).
	Ready func(ctx context.Context) error
}

// Server handles every HTTP request.
type Server struct {
	Services
	config    Config
	logger    *slog.Logger
	mux       *http.ServeMux
	api       huma.API
	handler   http.Handler
	metrics   *metrics
	assets    *assets
	templates pageTemplates
}

// NewServer parses the templates, builds the routes and the middleware
// around them. A broken template or a missing asset fails here, at start.
func NewServer(svc Services, cfg Config, logger *slog.Logger) (*Server, error) {
	if cfg.InstanceName == "" {
		cfg.InstanceName = "Assent"
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 50 << 20
	}
	s := &Server{Services: svc, config: cfg, logger: logger, mux: http.NewServeMux()}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.templates, err = parseTemplates(s.assets, newMarkdownRenderer()); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(prometheus.NewRegistry())
	s.api = newAPI(s.mux, cfg.Version)
	s.routes()
	s.handler = s.withRequestID(s.withMetricsAndLog(s.withRecover(s.withSecurityHeaders(withCleanInput(withCrossOriginProtection(
		s.withClientAddress(s.withAuth(withRouteInfo(s.mux)))))))))
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// OpenAPI returns the API description, for tests and `assent openapi`.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }
