//! `cronjob-schedule-invalid`: a CronJob schedule that Kubernetes rejects
//! (or that can never fire).

use super::cron;
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct CronjobScheduleInvalid;

/// The zone of a `TZ=Europe/Berlin 0 3 * * *` schedule and the rest.
fn split_zone(s: &str) -> Option<(&str, &str)> {
    let rest = s.strip_prefix("CRON_TZ=").or_else(|| s.strip_prefix("TZ="))?;
    let (zone, schedule) = rest.split_once(' ')?;
    Some((zone, schedule.trim()))
}

impl Rule for CronjobScheduleInvalid {
    fn id(&self) -> &str {
        "cronjob-schedule-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !matches!(object.kind, "CronJob" | "ScheduledJob") {
            return;
        }
        let Some(node) = object.get(&["spec", "schedule"]) else {
            return;
        };
        let Some(schedule) = node.as_str() else { return };
        if schedule.contains("TZ") {
            let help = match split_zone(schedule) {
                Some((zone, rest)) => format!(
                    "move the zone to its own field: `timeZone: {zone}` in the CronJob's spec and `schedule: \"{rest}\"` (spec.timeZone is stable since Kubernetes 1.27)"
                ),
                None => {
                    "set the zone with `spec.timeZone` (e.g. `timeZone: Etc/UTC`), stable since Kubernetes 1.27".into()
                }
            };
            ctx.report(
                object,
                node.span,
                format!("the schedule `{schedule}` sets a time zone with TZ or CRON_TZ, which Kubernetes rejects"),
            )
            .help(help);
            return;
        }
        let (message, e) = match cron::parse(schedule) {
            Err(e) => (format!("invalid schedule `{schedule}`: {}", e.message), e),
            Ok(parsed) => match cron::never_fires(&parsed) {
                Some(e) => (format!("the schedule `{schedule}` {}", e.message), e),
                None => return,
            },
        };
        let mut help = String::from(
            "a schedule has five fields, `minute hour day-of-month month day-of-week` (e.g. `30 2 * * 1-5`), or is a macro such as `@daily`",
        );
        if let Some(h) = e.hint {
            help = format!("{h}; {help}");
        }
        ctx.report(object, node.span, message).help(help);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "cronjob-schedule-invalid";

    fn cronjob(schedule: &str) -> String {
        format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec:\n  schedule: {schedule}\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{{name: c, image: busybox}}]\n"
        )
    }

    #[test]
    fn invalid() {
        let text = cronjob("'0 0 * * 7'");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "'0 0 * * 7'");
        assert!(d[0].help.as_deref().is_some_and(|h| h.contains("Sunday")));
        assert_fires(RULE, &cronjob("'*/5 * * *'"));
        assert_fires(RULE, &cronjob("'0 0 30 2 *'"));
    }

    #[test]
    fn time_zone_prefix() {
        let d = assert_fires(RULE, &cronjob("'CRON_TZ=Europe/Berlin 0 3 * * *'"));
        assert!(
            d[0].help
                .as_deref()
                .is_some_and(|h| h.contains("timeZone: Europe/Berlin")),
            "{:?}",
            d[0].help
        );
    }

    #[test]
    fn valid() {
        assert_quiet(RULE, &cronjob("'*/15 * * * *'"));
        assert_quiet(RULE, &cronjob("'@hourly'"));
        assert_quiet(RULE, &cronjob("'0 9 * * mon-fri'"));
    }
}
