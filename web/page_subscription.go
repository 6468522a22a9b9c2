package web

import (
	"net/http"

	"assent"
)

// handleSubscriptionPage follows (on) or stops following an item from its
// page or from the unsubscribe link of a mail.
func (s *Server) handleSubscriptionPage(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.readForm(w, r) {
			return
		}
		id := r.PathValue("id")
		var err error
		msg := "You follow this item: mail about its sign-offs comes to you."
		if on {
			err = s.Subscriptions.Subscribe(r.Context(), id)
		} else {
			err = s.Subscriptions.Unsubscribe(r.Context(), id)
			msg = "You no longer follow this item; acting on it again will not change that."
		}
		if err != nil {
			s.redirect(w, r, itemURL(id, ""), "error", assent.ErrorMessage(err))
			return
		}
		s.redirect(w, r, itemURL(id, ""), "ok", msg)
	}
}

// handleUnsubscribeLink is where a mail's unsubscribe link leads: a page
// that asks to confirm, since a link alone must change nothing.
func (s *Server) handleUnsubscribeLink(w http.ResponseWriter, r *http.Request) {
	it, err := s.Items.FindItem(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe", &page{Title: "Unsubscribe", Data: it})
}
