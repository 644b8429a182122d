//! One kind of background task for every long computation: a [`Job`] runs a
//! closure on a thread of its own (or at once, for small inputs), with a
//! cancel flag and a progress count the closure may read and move
//! ([`Control`]), and hands back its result. A panic inside the closure is
//! caught and becomes [`JobError::Panicked`]; a thread that ends without a
//! result is [`JobError::Died`]: whoever waits for a job always learns that
//! it ended. When it ends, the job calls the function given to
//! [`Job::on_done`] (an event loop's waker), on the job's thread.
//!
//! The ranking, the clusters, the search index and snapshot, and the database
//! worker all run as jobs.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};

/// Called when a job ends (on the job's thread).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// What a running job shares with whoever started it: a cancel flag and its
/// progress (`done` of `total`, 0 when unknown).
#[derive(Default)]
pub struct Control {
    cancel: AtomicBool,
    done: AtomicUsize,
    total: AtomicUsize,
    /// The waker, and whether the job has ended (then it is called at once).
    notify: Mutex<(Option<Notify>, bool)>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("cancel", &self.cancelled())
            .field("progress", &self.progress())
            .finish()
    }
}

impl Control {
    /// True once the job was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The cancel flag, for code that polls one.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    /// The count of work done, for code that moves one.
    pub fn done_counter(&self) -> &AtomicUsize {
        &self.done
    }

    /// How much work there is in all (0: unknown).
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Work done, and in all (0: unknown).
    pub fn progress(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// The job has ended: its waker is called (now or when given).
    fn ended(&self) {
        let notify = {
            let mut slot = self.notify.lock().unwrap_or_else(PoisonError::into_inner);
            slot.1 = true;
            slot.0.clone()
        };
        if let Some(n) = notify {
            n();
        }
    }
}

/// How a job ended without its result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("{what} failed: {message}")]
    Panicked { what: &'static str, message: String },
    #[error("{what} stopped without an answer")]
    Died { what: &'static str },
    #[error("could not start {what}: {message}")]
    NotStarted { what: &'static str, message: String },
}

enum State<T> {
    Running(mpsc::Receiver<Result<T, JobError>>),
    Done(Result<T, JobError>),
    Taken,
}

/// A task running (or run) off the caller's thread: see the module's text.
/// Dropping it asks it to stop.
pub struct Job<T> {
    what: &'static str,
    control: Arc<Control>,
    state: State<T>,
}

impl<T> std::fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("what", &self.what)
            .field("running", &self.is_running())
            .field("control", &self.control)
            .finish()
    }
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

/// Runs `work`, a panic in it caught and said as `what`'s.
fn guarded<T>(what: &'static str, work: impl FnOnce() -> T) -> Result<T, JobError> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|p| JobError::Panicked {
        what,
        message: panic_message(&*p),
    })
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a thread named `ties-<what>`; `what` names it in
    /// messages ("the ranking").
    pub fn spawn(what: &'static str, work: impl FnOnce(&Control) -> T + Send + 'static) -> Job<T> {
        let control = Arc::new(Control::default());
        let (tx, rx) = mpsc::channel();
        let c = Arc::clone(&control);
        let name: String = format!("ties-{}", what.trim_start_matches("the ").replace(' ', "-"));
        let spawned = std::thread::Builder::new().name(name).spawn(move || {
            // Said also when the send or the work unwinds past here.
            let _ended = Ended(Arc::clone(&c));
            // Dropped before `_ended` says the job ended.
            let tx = tx;
            let r = guarded(what, || work(&c));
            let _ = tx.send(r);
        });
        let state = match spawned {
            Ok(_) => State::Running(rx),
            Err(e) => {
                control.ended();
                State::Done(Err(JobError::NotStarted {
                    what,
                    message: e.to_string(),
                }))
            }
        };
        Job {
            what,
            control,
            state,
        }
    }
}

/// Says the job ended when dropped, however its thread ends.
struct Ended(Arc<Control>);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.ended();
    }
}

impl<T> Job<T> {
    /// Runs `work` now, on this thread; a panic in it is caught all the same.
    pub fn inline(what: &'static str, work: impl FnOnce(&Control) -> T) -> Job<T> {
        let control = Arc::new(Control::default());
        let r = guarded(what, || work(&control));
        control.ended();
        Job {
            what,
            control,
            state: State::Done(r),
        }
    }

    /// What the job is, for messages.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// Calls `notify` when the job ends (at once if it has).
    pub fn on_done(&self, notify: Notify) {
        let ended = {
            let mut slot = self
                .control
                .notify
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            slot.0 = Some(Arc::clone(&notify));
            slot.1
        };
        if ended {
            notify();
        }
    }

    /// Asks the job to stop (the work reads [`Control::cancelled`]).
    pub fn cancel(&self) {
        self.control.cancel.store(true, Ordering::Relaxed);
    }

    /// Work done and in all, as the job counts them.
    pub fn progress(&self) -> (usize, usize) {
        self.control.progress()
    }

    /// Takes the result if it came. True if the job ended with this call.
    pub fn poll(&mut self) -> bool {
        let State::Running(rx) = &self.state else {
            return false;
        };
        let r = match rx.try_recv() {
            Ok(r) => r,
            Err(mpsc::TryRecvError::Empty) => return false,
            Err(mpsc::TryRecvError::Disconnected) => Err(JobError::Died { what: self.what }),
        };
        self.state = State::Done(r);
        true
    }

    /// Waits for the job to end; its result (`None` once taken).
    pub fn wait(&mut self) -> Option<&Result<T, JobError>> {
        if let State::Running(rx) = &self.state {
            let r = rx.recv().unwrap_or(Err(JobError::Died { what: self.what }));
            self.state = State::Done(r);
        }
        self.result()
    }

    /// True until the result came (see [`Job::poll`]).
    pub fn is_running(&self) -> bool {
        matches!(self.state, State::Running(_))
    }

    /// The result, once [`Job::poll`] took it.
    pub fn result(&self) -> Option<&Result<T, JobError>> {
        match &self.state {
            State::Done(r) => Some(r),
            _ => None,
        }
    }

    /// Takes the result, once [`Job::poll`] took it.
    pub fn take(&mut self) -> Option<Result<T, JobError>> {
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Done(r) => Some(r),
            other => {
                self.state = other;
                None
            }
        }
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// Waits for `job` to end, at most `limit`, woken by its notify.
    fn ended<T: Send + 'static>(job: &mut Job<T>, limit: Duration) -> bool {
        let (tx, rx) = mpsc::channel();
        job.on_done(Arc::new(move || {
            let _ = tx.send(());
        }));
        let deadline = Instant::now() + limit;
        while !job.poll() {
            let left = deadline.saturating_duration_since(Instant::now());
            if rx.recv_timeout(left).is_err() {
                return false;
            }
        }
        true
    }

    #[test]
    fn a_job_hands_back_its_result_and_wakes_the_caller() {
        let mut job = Job::spawn("the sum", |c| {
            c.set_total(10);
            (0..10u32)
                .inspect(|_| {
                    c.done_counter().fetch_add(1, Ordering::Relaxed);
                })
                .sum::<u32>()
        });
        assert!(ended(&mut job, Duration::from_secs(10)));
        assert_eq!(job.result(), Some(&Ok(45)));
        assert_eq!(job.progress(), (10, 10));
        assert_eq!(job.take(), Some(Ok(45)));
        assert_eq!(job.take(), None);
    }

    #[test]
    fn a_panic_in_a_job_is_caught_and_said_within_a_second() {
        let mut job: Job<u32> = Job::spawn("the clusters", |_| panic!("boom at 40%"));
        assert!(ended(&mut job, Duration::from_secs(1)));
        assert_eq!(
            job.result(),
            Some(&Err(JobError::Panicked {
                what: "the clusters",
                message: "boom at 40%".into()
            }))
        );
        assert_eq!(
            job.result().unwrap().as_ref().unwrap_err().to_string(),
            "the clusters failed: boom at 40%"
        );
        let inline: Job<u32> = Job::inline("the ranking", |_| panic!("inline"));
        assert!(matches!(
            inline.result(),
            Some(Err(JobError::Panicked { .. }))
        ));
    }

    #[test]
    fn dropping_a_job_cancels_it() {
        let (tx, rx) = mpsc::channel();
        let job = Job::spawn("the wait", move |c| {
            while !c.cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = tx.send(());
        });
        drop(job);
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the job saw its cancel flag");
    }
}
