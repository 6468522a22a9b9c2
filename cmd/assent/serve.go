package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/filestore"
	"assent/notify"
	"assent/sqldb"
	"assent/web"
	"assent/wire"
)

var (
	addrFlag = &cli.StringFlag{Name: "addr", Value: ":8080", Sources: cli.EnvVars("ASSENT_ADDR"),
		Usage: "address to listen on"}
	externalURLFlag = &cli.StringFlag{Name: "external-url", Sources: cli.EnvVars("ASSENT_EXTERNAL_URL"),
		Usage: "the URL people reach the server at, for links in mail and secure cookies (https://…)"}
	behindProxyFlag = &cli.BoolFlag{Name: "behind-proxy", Sources: cli.EnvVars("ASSENT_BEHIND_PROXY"),
		Usage: "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy"}
	shutdownTimeoutFlag = &cli.DurationFlag{Name: "shutdown-timeout", Value: 15 * time.Second, Sources: cli.EnvVars("ASSENT_SHUTDOWN_TIMEOUT"),
		Usage: "how long in-flight requests may finish after SIGTERM"}
	instanceNameFlag = &cli.StringFlag{Name: "instance-name", Value: "Assent", Sources: cli.EnvVars("ASSENT_INSTANCE_NAME"),
		Usage: "the name shown in page titles and the navigation"}
	sessionIdleFlag = &cli.DurationFlag{Name: "session-idle-timeout", Value: 12 * time.Hour, Sources: cli.EnvVars("ASSENT_SESSION_IDLE_TIMEOUT"),
		Usage: "sign a browser out after this long without use"}
	maxUploadFlag = &cli.IntFlag{Name: "max-upload-mb", Value: 50, Sources: cli.EnvVars("ASSENT_MAX_UPLOAD_MB"),
		Usage: "largest attachment accepted, in MB"}
	sealIntervalFlag = &cli.DurationFlag{Name: "seal-interval", Value: 250 * time.Millisecond, Sources: cli.EnvVars("ASSENT_SEAL_INTERVAL"),
		Usage: "how often new events are chained into the audit trail"}
	webhooksPrivateFlag = &cli.BoolFlag{Name: "webhooks-allow-private", Sources: cli.EnvVars("ASSENT_WEBHOOKS_ALLOW_PRIVATE"),
		Usage: "let webhooks reach loopback and private addresses (refused by default)"}
	webhookFailuresFlag = &cli.IntFlag{Name: "webhook-failure-limit", Value: 50, Sources: cli.EnvVars("ASSENT_WEBHOOK_FAILURE_LIMIT"),
		Usage: "failed deliveries in a row that disable a webhook (0: never); admins are mailed"}
	demoFlag = &cli.BoolFlag{Name: "demo", Sources: cli.EnvVars("ASSENT_DEMO"),
		Usage: "load the tutorial's example: source design-node with its projects, models, versions and bundles (again: no change)"}
)

func (m *Main) serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run the server",
		Description: "On first start the user admin is created with the password in ASSENT_ADMIN_PASSWORD,\n" +
			"or a random one that is printed once.",
		Flags: fresh(append([]cli.Flag{addrFlag, externalURLFlag, instanceNameFlag, behindProxyFlag, sessionIdleFlag, maxUploadFlag, shutdownTimeoutFlag,
			sealIntervalFlag, webhooksPrivateFlag, webhookFailuresFlag, demoFlag}, smtpFlags...)),
		Action: m.runServe,
	}
}

func (m *Main) runServe(ctx context.Context, cmd *cli.Command) error {
	start := time.Now()
	// The live heap of a server is small (a few MB), so Go's default GOGC of
	// 100 collects after every few hundred requests; 400 costs a few MB more
	// and, measured with assent-load, gives 50% more throughput. An operator's
	// GOGC wins.
	if cmdEnv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	logger, err := newLogger(cmd, m.Stderr)
	if err != nil {
		return err
	}
	db, err := m.openDB(ctx, cmd, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := m.bootstrapAdmin(ctx, db, logger); err != nil {
		return err
	}
	if err := applySMTPFlags(ctx, cmd, db); err != nil {
		return err
	}
	if cmd.Bool(demoFlag.Name) {
		if err := loadDemo(ctx, db, logger); err != nil {
			return err
		}
	}

	blobs, err := filestore.New(filepath.Join(cmd.String(dataDirFlag.Name), "attachments"))
	if err != nil {
		return err
	}
	db.ExternalURL = cmd.String(externalURLFlag.Name)
	allowPrivate := cmd.Bool(webhooksPrivateFlag.Name)
	svc := wire.Services(db, blobs)
	hooks := sqldb.NewWebhookService(db)
	hooks.AllowPrivate = allowPrivate
	svc.Webhooks = hooks
	sessions := sqldb.NewSessionService(db)
	sessions.IdleTimeout = cmd.Duration(sessionIdleFlag.Name)
	svc.Sessions = sessions
	srv, err := web.NewServer(svc, web.Config{
		MaxUploadBytes: int64(cmd.Int(maxUploadFlag.Name)) << 20,
		Version:        buildVersion(),
		InstanceName:   cmd.String(instanceNameFlag.Name),
		ExternalURL:    cmd.String(externalURLFlag.Name),
		BehindProxy:    cmd.Bool(behindProxyFlag.Name),
		Ready:          db.Ping,
	}, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cmd.String(addrFlag.Name))
	if err != nil {
		return err
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	// The sealer runs beside the server and seals once more when it stops.
	sealCtx, stopSealing := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { sqldb.NewAuditService(db).RunSealer(sealCtx, cmd.Duration(sealIntervalFlag.Name)) })
	wg.Go(func() { sweepBlobs(sealCtx, blobs, svc.Attachments, logger) })
	// Every replica delivers the outbox; PostgreSQL hands each message to one.
	worker := notify.NewWorker(sqldb.NewOutboxService(db), notify.NewClient(allowPrivate), logger)
	worker.Mailer = svc.Mailer
	worker.FailureLimit = int(cmd.Int(webhookFailuresFlag.Name))
	wg.Go(func() { worker.Run(sealCtx) })

	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()
	url := "http://" + displayAddr(ln.Addr())
	logger.Info("assent ready", "url", url, "database", db.Dialect(), "version", buildVersion(), "startup", time.Since(start).Round(time.Millisecond))
	if m.OnListen != nil {
		m.OnListen(url)
	}

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		logger.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmd.Duration(shutdownTimeoutFlag.Name))
		err = httpServer.Shutdown(shutdownCtx)
		cancel()
	}
	stopSealing()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// sweepBlobs removes contents left by failed uploads, at start and hourly.
func sweepBlobs(ctx context.Context, blobs assent.BlobStore, attachments assent.AttachmentService, logger *slog.Logger) {
	ctx = assent.NewContextWithUser(ctx, assent.SystemUser("system"))
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := assent.SweepBlobs(ctx, blobs, attachments, time.Hour); err != nil && ctx.Err() == nil {
			logger.Error("sweep attachments", "err", err)
		} else if n > 0 {
			logger.Info("swept unused attachment contents", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// displayAddr turns ":8080" into "127.0.0.1:8080" so that the printed URL works.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
}

// bootstrapAdmin creates the user admin when the database has no users.
func (m *Main) bootstrapAdmin(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	ctx = assent.NewContextWithUser(ctx, assent.SystemUser("system"))
	users := sqldb.NewUserService(db)
	existing, _, err := users.FindUsers(ctx, assent.UserFilter{Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	pw, generated := cmdEnv("ASSENT_ADMIN_PASSWORD"), false
	if pw == "" {
		pw, generated = assent.RandomPassword(), true
	}
	if _, err := users.CreateUser(ctx, assent.NewUser{Username: "admin", DisplayName: "Administrator", Role: assent.RoleAdmin, Password: pw}); err != nil {
		if generated {
			return err
		}
		return fmt.Errorf("ASSENT_ADMIN_PASSWORD: %w", err)
	}
	logger.Info("created the first user", "username", "admin")
	if generated {
		// Printed once, to the terminal and not to the log: it is a secret.
		fmt.Fprintf(m.Stdout, "\n  First start: sign in as admin with the password %s\n  (set ASSENT_ADMIN_PASSWORD to choose it; change it on your profile page)\n\n", pw)
	}
	return nil
}
