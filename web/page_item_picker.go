package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"assent"
)

// The picker of a principals field (the project's "Sign-off reviewers and
// approvers"): the current values with a Remove checkbox each, a choice of
// users and groups to add, and "Add myself". Without scripts "Add" and
// "Add myself" send the form back drawn with the change, saving nothing;
// Save saves the list with whatever the choice and checkboxes say.

// principalOption is a user or a group that a principals field may name.
type principalOption struct{ Value, Label string }

// principalOptions are the users and groups the pickers of a form offer.
type principalOptions struct {
	Users, Groups []principalOption
	Me            string
}

// label names a value: "Ada Lovelace (ada)", "group risk-office".
func (o *principalOptions) label(v string) string {
	for _, x := range slices.Concat(o.Users, o.Groups) {
		if x.Value == v {
			return x.Label
		}
	}
	return v
}

// loadPrincipalOptions reads the users and groups when the form being
// edited has a principals field.
func (s *Server) loadPrincipalOptions(ctx context.Context, view *itemView) error {
	need := false
	for _, sec := range view.Sections {
		for _, f := range sec.Fields {
			need = need || (f != nil && f.Type == assent.FieldPrincipals)
		}
	}
	if !need {
		return nil
	}
	active := false
	users, _, err := s.Users.FindUsers(ctx, assent.UserFilter{Disabled: &active, Limit: assent.MaxPageSize})
	if err != nil {
		return err
	}
	groups, err := s.Groups.FindGroups(ctx)
	if err != nil {
		return err
	}
	o := &principalOptions{}
	if u := assent.UserFromContext(ctx); u != nil {
		o.Me = u.Username
	}
	for _, u := range users {
		label := u.Username
		if u.DisplayName != "" && u.DisplayName != u.Username {
			label = u.DisplayName + " (" + u.Username + ")"
		}
		o.Users = append(o.Users, principalOption{Value: u.Username, Label: label})
	}
	for _, g := range groups {
		o.Groups = append(o.Groups, principalOption{Value: "group:" + g.Name, Label: "group " + g.Name})
	}
	view.People = o
	return nil
}

// principalsPicker is what the "principals-picker" template draws.
type principalsPicker struct {
	Field         *assent.FieldDef
	Values        []principalOption
	Users, Groups []principalOption // those not chosen yet
	Me            string            // the signed-in user, when not chosen yet
	Error         string
}

// Picker draws the picker of a principals field from the form's value.
func (v *itemView) Picker(p *page, f *assent.FieldDef) principalsPicker {
	d := principalsPicker{Field: f, Error: p.FieldError("fields." + f.ID)}
	o := v.People
	if o == nil {
		o = &principalOptions{}
	}
	var chosen []string
	for _, x := range strings.Split(p.Value(f.ID), ",") {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(chosen, x) {
			chosen = append(chosen, x)
			d.Values = append(d.Values, principalOption{Value: x, Label: o.label(x)})
		}
	}
	free := func(opts []principalOption) (out []principalOption) {
		for _, x := range opts {
			if !slices.Contains(chosen, x.Value) {
				out = append(out, x)
			}
		}
		return out
	}
	d.Users, d.Groups = free(o.Users), free(o.Groups)
	if o.Me != "" && !slices.Contains(chosen, o.Me) {
		d.Me = o.Me
	}
	return d
}

// principalsValue reads a picker: the values kept (f_<id>, each possibly
// a comma-separated list), less those ticked for removal, plus the one
// chosen to add and the signed-in user after "Add myself".
func principalsValue(f *assent.FieldDef, r *http.Request) (any, string) {
	name := "f_" + f.ID
	removed := r.PostForm[name+"_remove"]
	var vals []string
	add := func(list string, keep func(string) bool) {
		for _, x := range strings.Split(list, ",") {
			if x = strings.TrimSpace(x); x != "" && keep(x) && !slices.Contains(vals, x) {
				vals = append(vals, x)
			}
		}
	}
	for _, v := range r.PostForm[name] {
		add(v, func(x string) bool { return !slices.Contains(removed, x) })
	}
	all := func(string) bool { return true }
	add(r.PostFormValue(name+"_add"), all)
	if u := assent.UserFromContext(r.Context()); u != nil && r.PostFormValue("picker") == "self:"+f.ID {
		add(u.Username, all)
	}
	out := make([]any, len(vals))
	for i, x := range vals {
		out[i] = x
	}
	return out, strings.Join(vals, ", ")
}
