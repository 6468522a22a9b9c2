package notify_test

import (
	"log/slog"
	"sort"
	"strings"
	"testing"

	"assent"
	"assent/notify"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/templates"
)

// TestSignoffMailThroughSMTP follows mail from sign-off actions to a real
// SMTP server: nobody chosen, nobody mailed; one chosen, one mail; a
// rejection mails those who follow the item.
func TestSignoffMailThroughSMTP(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		smtpd := startSMTP(t)
		settings := sqldb.NewEmailSettingsService(db)
		if _, err := settings.PutEmailSettings(admin, assent.EmailSettings{Enabled: true, Host: smtpd.Host, Port: smtpd.Port, TLS: "none", Sender: "assent@example.com"}); err != nil {
			t.Fatal(err)
		}
		standard, err := templates.Standard()
		if err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(admin, standard); err != nil {
			t.Fatal(err)
		}
		users := sqldb.NewUserService(db)
		ctx := map[string]assent.User{}
		for _, name := range []string{"ada", "bob", "carol"} {
			u, err := users.CreateUser(admin, assent.NewUser{Username: name, Role: assent.RoleMember, Password: "password-" + name, Email: name + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			ctx[name] = *u
		}
		as := func(name string) *assent.User { u := ctx[name]; return &u }
		items := sqldb.NewItemService(db)
		ada := assent.NewContextWithUser(admin, as("ada"))
		project, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "Govern Tutorial",
			Fields: map[string]any{"reviewers_it_ops": []any{"bob"}, "final_approvers": []any{"carol"}}})
		if err != nil {
			t.Fatal(err)
		}
		model, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-model"}, Name: "Predict authorized_flag (binary)", Parent: &project.ID})
		if err != nil {
			t.Fatal(err)
		}
		version, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-model-version"}, Name: "Random forest (s1) - v2", Parent: &model.ID})
		if err != nil {
			t.Fatal(err)
		}
		w := notify.NewWorker(sqldb.NewOutboxService(db), notify.NewClient(true), slog.New(slog.DiscardHandler))
		w.Mailer = &notify.SMTPMailer{Settings: settings}
		signoffs := sqldb.NewSignoffService(db)
		act := func(who string, req assent.SignoffActionRequest) {
			t.Helper()
			if _, err := signoffs.Act(assent.NewContextWithUser(admin, as(who)), version.ID, "review", req); err != nil {
				t.Fatal(err)
			}
			drain(t, w)
		}
		mailed := func(from int) []string {
			var to []string
			for _, m := range smtpd.messages()[from:] {
				to = append(to, m.To...)
			}
			sort.Strings(to)
			return to
		}

		act("ada", assent.SignoffActionRequest{Action: assent.ActRequestFeedback})
		if got := mailed(0); len(got) != 0 {
			t.Fatalf("requesting feedback from nobody mailed %v", got)
		}
		act("ada", assent.SignoffActionRequest{Action: assent.ActRequestApproval, Notify: []string{"carol"}})
		if got := mailed(0); strings.Join(got, ",") != "carol@example.com" {
			t.Fatalf("requesting approval from carol mailed %v", got)
		}
		m := smtpd.messages()[0]
		parse(t, m)
		if !strings.Contains(m.Subject, "asks for your final approval") || !strings.Contains(m.Text, "Random forest (s1) - v2") || !strings.Contains(m.HTML, "/items/"+version.ID) {
			t.Fatalf("mail subject %q text %q", m.Subject, m.Text)
		}
		comment := "The model must be redesigned to account for location and racial bias."
		act("carol", assent.SignoffActionRequest{Action: assent.ActApprove, Status: "REJECTED", Comment: &comment})
		if got := mailed(1); strings.Join(got, ",") != "ada@example.com" {
			t.Fatalf("the rejection mailed %v; want ada, who follows the item (carol acted)", got)
		}
		last := smtpd.messages()[len(smtpd.messages())-1]
		if parse(t, last); !strings.Contains(last.Text, comment) {
			t.Fatalf("the rejection mail lacks the comment: %q", last.Text)
		}
	})
}
