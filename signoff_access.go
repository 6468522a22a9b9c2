package assent

import "slices"

// CanAct says whether u may take action a on the sign-off: nil, or
// EFORBIDDEN with the reason. group names the feedback group of new
// feedback or of a delegation ("approval" for the approval); feedback
// names the feedback to edit or delete. The state is the state machine's
// business, not this.
func (s *Signoff) CanAct(u *User, a SignoffAction, group, feedback string) error {
	if u == nil || !u.HasRole(RoleMember) {
		return Errorf(EFORBIDDEN, "Acting on a sign-off needs the member role.")
	}
	switch a {
	case ActAddFeedback:
		g := s.group(group)
		if g == nil {
			return Invalid("group", "the sign-off has no feedback group %q", group)
		}
		if !slices.Contains(g.Members, u.Username) && s.Delegates[g.ID] != u.Username {
			return Errorf(EFORBIDDEN, "Only the members of %s (or its delegate) give its feedback; you are not one of them.", g.Name)
		}
	case ActEditFeedback, ActDeleteFeedback:
		f := s.feedback(feedback)
		if f == nil {
			return Errorf(ENOTFOUND, "Feedback %q not found in this cycle.", feedback)
		}
		if f.Author != u.Username {
			return Errorf(EFORBIDDEN, "Only its author, %s, edits or deletes this feedback.", f.Author)
		}
	case ActApprove:
		if !s.IsApprover(u.Username) {
			return Errorf(EFORBIDDEN, "Only a final approver (or the approval's delegate) gives the final approval; you are not one.")
		}
		if s.NoSelfApproval && s.ApprovalRequestedBy == u.Username {
			return Errorf(EFORBIDDEN, "You requested this approval, and this sign-off forbids approving one's own request.")
		}
	case ActEditApproval, ActDeleteApproval:
		if s.Approval == nil || s.Approval.Author != u.Username {
			return Errorf(EFORBIDDEN, "Only the author of the final approval edits or deletes it.")
		}
	case ActDelegate:
		if group != "approval" && s.group(group) == nil {
			return Invalid("group", "the sign-off has no feedback group %q (or say \"approval\")", group)
		}
		// Any item writer may delegate: members are item writers.
	}
	return nil
}

// IsApprover reports whether username is a resolved approver or the
// approval's delegate.
func (s *Signoff) IsApprover(username string) bool {
	return slices.Contains(s.Approvers, username) || s.Delegates["approval"] == username
}

// ReviewGroups lists the ids of the groups username gives feedback for,
// as a member or a delegate.
func (s *Signoff) ReviewGroups(username string) []string {
	var out []string
	for _, g := range s.Groups {
		if slices.Contains(g.Members, username) || s.Delegates[g.ID] == username {
			out = append(out, g.ID)
		}
	}
	return out
}

// ActionsFor lists the actions u may take now: allowed by the state and
// by who u is. Feedback actions are listed when u may take them in at
// least one group or on at least one feedback.
func (s *Signoff) ActionsFor(u *User) []SignoffAction {
	var out []SignoffAction
	for _, a := range AllowedSignoffActions(s.State) {
		ok := false
		switch a {
		case ActAddFeedback:
			for _, g := range s.Groups {
				ok = ok || s.CanAct(u, a, g.ID, "") == nil
			}
		case ActEditFeedback, ActDeleteFeedback:
			for _, f := range s.Feedback {
				ok = ok || s.CanAct(u, a, "", f.ID) == nil
			}
		case ActDelegate:
			ok = s.CanAct(u, a, "approval", "") == nil
		default:
			ok = s.CanAct(u, a, "", "") == nil
		}
		if ok {
			out = append(out, a)
		}
	}
	return out
}

func (s *Signoff) group(id string) *SignoffGroup {
	for i := range s.Groups {
		if s.Groups[i].ID == id {
			return &s.Groups[i]
		}
	}
	return nil
}

func (s *Signoff) feedback(id string) *Feedback {
	for i := range s.Feedback {
		if s.Feedback[i].ID == id {
			return &s.Feedback[i]
		}
	}
	return nil
}
