// Package wire binds the store's services to the web server's: the one
// place that lists them, for the binary and for tests that run the real
// server.
package wire

import (
	"assent"
	"assent/notify"
	"assent/sqldb"
	"assent/web"
)

// Services returns every service of the web server, backed by db, with
// attachments in blobs.
func Services(db *sqldb.DB, blobs assent.BlobStore) web.Services {
	items := sqldb.NewItemService(db)
	governables := sqldb.NewGovernableService(db, items)
	emailSettings := sqldb.NewEmailSettingsService(db)
	return web.Services{
		Users:         sqldb.NewUserService(db),
		Groups:        sqldb.NewGroupService(db),
		Tokens:        sqldb.NewTokenService(db),
		Sessions:      sqldb.NewSessionService(db),
		Events:        sqldb.NewEventService(db),
		Templates:     sqldb.NewTemplateService(db),
		Items:         items,
		Attachments:   sqldb.NewAttachmentService(db),
		Blobs:         blobs,
		Views:         sqldb.NewItemViewService(db),
		Sources:       sqldb.NewSourceService(db),
		Governables:   governables,
		Sync:          governables,
		Rules:         sqldb.NewGovernanceRuleService(db),
		Registries:    sqldb.NewRegistryService(db),
		Signoffs:      sqldb.NewSignoffService(db),
		Metrics:       sqldb.NewMetricService(db),
		Deployments:   sqldb.NewDeploymentService(db),
		Webhooks:      sqldb.NewWebhookService(db),
		Subscriptions: sqldb.NewSubscriptionService(db),
		EmailSettings: emailSettings,
		Mailer:        &notify.SMTPMailer{Settings: emailSettings},
	}
}
