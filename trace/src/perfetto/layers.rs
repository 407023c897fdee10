//! Which Perfetto track each span of a lane goes on.
//!
//! The slices of one Perfetto track nest like a call stack: a `SLICE_END`
//! closes the innermost open slice. A lane's spans usually nest so, but a
//! trace read from another tool's file can hold spans that overlap without
//! one containing the other (two `X` events of one thread). Such a span
//! goes on the next *layer*, a track of its own under the thread's, where
//! it nests; the reader puts the layers of a thread back into one lane.

use crate::trace::Lane;

/// The layers of one lane.
pub(super) struct Layer {
    /// How many layers (tracks) the lane needs; at least 1.
    pub count: usize,
    /// The layer of each span, by span index.
    pub of_span: Vec<usize>,
    /// The depth each span has on its layer's stack: what a reader that
    /// trusts only the nesting gives it.
    pub stack_depth: Vec<u32>,
    /// Each layer's begins (`true`) and ends, in the order its stack walk
    /// gives them, layer after layer: times never go back within a layer.
    pub order: Vec<(usize, bool)>,
}

/// Puts each span of `lane`, in lane order, on the first layer whose open
/// spans it nests in, closing there first the spans that ended by its
/// start.
pub(super) fn lane_layers(lane: &Lane) -> Layer {
    let spans = &lane.spans;
    let order = |s: &crate::trace::Span| (s.start_ns, s.depth, std::cmp::Reverse(s.end_ns));
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    // A lane is in this order already, unless a hand-built one is not.
    if !spans.is_sorted_by_key(order) {
        by_start.sort_by_key(|&i| order(&spans[i]));
    }
    let mut stacks: Vec<Vec<usize>> = vec![Vec::new()];
    let mut orders: Vec<Vec<(usize, bool)>> = vec![Vec::new()];
    let mut of_span = vec![0; spans.len()];
    let mut stack_depth = vec![0; spans.len()];
    for si in by_start {
        let span = &spans[si];
        let mut layer = 0;
        loop {
            if layer == stacks.len() {
                stacks.push(Vec::new());
                orders.push(Vec::new());
            }
            let (stack, order) = (&mut stacks[layer], &mut orders[layer]);
            while let Some(&top) = stack.last() {
                if spans[top].end_ns > span.start_ns {
                    break;
                }
                stack.pop();
                order.push((top, false));
            }
            if stack
                .last()
                .is_none_or(|&top| spans[top].end_ns >= span.end_ns)
            {
                of_span[si] = layer;
                stack_depth[si] = stack.len() as u32;
                stack.push(si);
                order.push((si, true));
                break;
            }
            layer += 1;
        }
    }
    for (stack, order) in stacks.iter_mut().zip(&mut orders) {
        while let Some(top) = stack.pop() {
            order.push((top, false));
        }
    }
    Layer {
        count: stacks.len(),
        of_span,
        stack_depth,
        order: orders.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Span;

    #[test]
    fn nested_spans_share_a_layer_and_overlapping_ones_get_their_own() {
        let spans = [
            Span::new(0, 0, 100, 0),
            Span::new(0, 10, 20, 1),
            Span::new(0, 20, 20, 1),  // zero length, where its sibling ends
            Span::new(0, 50, 150, 1), // overlaps the end of the first
        ];
        let lane = Lane::with_spans(1, 1, "t", spans);
        let layers = lane_layers(&lane);
        assert_eq!(layers.count, 2);
        assert_eq!(layers.of_span, [0, 0, 0, 1]);
        assert_eq!(layers.stack_depth, [0, 1, 1, 0]);
        // Layer 0: 0 opens, 1 opens and closes, 2 opens and closes, 0
        // closes; then layer 1.
        assert_eq!(
            layers.order,
            [
                (0, true),
                (1, true),
                (1, false),
                (2, true),
                (2, false),
                (0, false),
                (3, true),
                (3, false)
            ]
        );
    }
}
