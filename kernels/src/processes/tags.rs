//! Every tag of the experiments' messages, in one place: each family of
//! tags belongs to one communicator (`BAND` is shared by `bands` and
//! `pmap`, both on the world communicator, which run one after the other
//! and so never at once), so no two communicators carry the same tag
//! between the same ranks at once, which keeps the sequence numbers of
//! [`logprof::ranks`]' message keys right.

/// [`Experiment::Bands`](super::Experiment::Bands) and
/// [`Experiment::Pmap`](super::Experiment::Pmap) (world): a band's pixels.
pub(super) const BAND: i32 = 10;
/// Pmap: the next band's number.
pub(super) const WORK: i32 = 11;
/// Pmap: no band is left.
pub(super) const STOP: i32 = 12;

/// Shared on demand (the window's node communicator): the next band's number.
pub(super) const SHARED_WORK: i32 = 20;
/// Shared on demand: a band is written.
pub(super) const SHARED_DONE: i32 = 21;
/// Shared on demand: no band is left.
pub(super) const SHARED_STOP: i32 = 22;

/// Channels (the queues' own communicator): the fractal a worker computes.
pub(super) const QUEUE_INIT: i32 = 30;
/// Channels: a worker is initialised.
pub(super) const QUEUE_READY: i32 = 31;
/// Channels: a task (a band of columns).
pub(super) const QUEUE_TASK: i32 = 32;
/// Channels: a task's pixels.
pub(super) const QUEUE_RESULT: i32 = 33;
/// Channels: the call is over, wait for the next.
pub(super) const QUEUE_IDLE: i32 = 34;
/// Channels: the workers stop (and say so).
pub(super) const QUEUE_STOP: i32 = 35;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_uses_share_a_tag() {
        let mut tags = [
            BAND,
            WORK,
            STOP,
            SHARED_WORK,
            SHARED_DONE,
            SHARED_STOP,
            QUEUE_INIT,
            QUEUE_READY,
            QUEUE_TASK,
            QUEUE_RESULT,
            QUEUE_IDLE,
            QUEUE_STOP,
        ];
        tags.sort_unstable();
        assert!(tags.windows(2).all(|w| w[0] != w[1]));
        // logprof's own gather uses tags below 10, on its own communicator.
        assert!(tags[0] >= 10);
    }
}
