package policy

import (
	"fmt"
	"slices"
	"time"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// exemption returns the first active exemption matching req, else the first
// expired one that matches (so it can be reported), else nil, nil.
func (c *compiled) exemption(req review.Request, now time.Time) (active, expired *config.Exemption) {
	for i := range c.settings.Exemptions {
		ex := &c.settings.Exemptions[i]
		if !exemptionMatches(ex, req) {
			continue
		}
		if !ex.Expires.IsZero() && !now.Before(ex.Expires.Time) {
			if expired == nil {
				expired = ex
			}
			continue
		}
		return ex, nil
	}
	return nil, expired
}

func exemptionMatches(ex *config.Exemption, req review.Request) bool {
	if len(ex.Namespaces) == 0 && len(ex.Names) == 0 {
		return false // an empty exemption would silently disable the policy
	}
	if len(ex.Namespaces) > 0 && !slices.Contains(ex.Namespaces, req.Namespace) {
		return false
	}
	return len(ex.Names) == 0 || slices.Contains(ex.Names, req.Name)
}

func skipMessage(req review.Request, ex *config.Exemption) string {
	msg := fmt.Sprintf("%s %s is exempted", req.Kind.Kind, ref(req))
	if ex.Reason != "" {
		msg += ": " + ex.Reason
	}
	if !ex.Expires.IsZero() {
		msg += fmt.Sprintf(" (until %s)", ex.Expires.Format(time.DateOnly))
	}
	return msg
}

func expiredMessage(req review.Request, ex *config.Exemption) string {
	msg := fmt.Sprintf("%s %s: exemption expired on %s and no longer applies", req.Kind.Kind, ref(req), ex.Expires.Format(time.DateOnly))
	if ex.Reason != "" {
		msg += fmt.Sprintf(" (reason was: %s)", ex.Reason)
	}
	return msg + "; fix the object or renew the exemption in the config"
}
