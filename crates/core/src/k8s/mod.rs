//! Kubernetes value formats checked the way the API server checks them: resource quantities,
//! CronJob schedules and the name/label grammars of apimachinery's `util/validation`.

pub mod cron;
pub mod names;
pub mod quantity;
