;; Kernels for the SQLite vector first pass (src/store/sqlite/vector-kernels.ts holds the compiled bytes).
;; Plain WebAssembly runs at near-native speed from the first call (Liftoff compiles it at once), where the same
;; loops in JavaScript run interpreted until the optimiser catches up: most of a one-shot CLI search's scan.
;; Arithmetic is float64 in the same order as the JavaScript it replaced, so scores are bit-identical.
(module
  (memory (export "memory") 1)

  ;; Asymmetric sign scores of n codes of `words` 32-bit words: per code byte, a 256-entry float32 table
  ;; (byte value -> sum of the query components whose bits are set). out[i] (float64) = sum over the bytes.
  (func (export "signScores") (param $table i32) (param $codes i32) (param $n i32) (param $words i32) (param $out i32)
    (local $i i32) (local $w i32) (local $x i32) (local $tb i32) (local $p i32) (local $s0 f64) (local $s1 f64)
    (local.set $p (local.get $codes))
    (block $done
      (loop $slots
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s0 (f64.const 0))
        (local.set $s1 (f64.const 0))
        (local.set $w (i32.const 0))
        (local.set $tb (local.get $table))
        (block $wdone
          (loop $wloop
            (br_if $wdone (i32.ge_u (local.get $w) (local.get $words)))
            (local.set $x (i32.load (local.get $p)))
            (local.set $s0 (f64.add (local.get $s0)
              (f64.add
                (f64.promote_f32 (f32.load (i32.add (local.get $tb) (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 2)))))
                (f64.promote_f32 (f32.load offset=1024 (i32.add (local.get $tb) (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 255)) (i32.const 2))))))))
            (local.set $s1 (f64.add (local.get $s1)
              (f64.add
                (f64.promote_f32 (f32.load offset=2048 (i32.add (local.get $tb) (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 255)) (i32.const 2)))))
                (f64.promote_f32 (f32.load offset=3072 (i32.add (local.get $tb) (i32.shl (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 2))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $tb (i32.add (local.get $tb) (i32.const 4096)))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br $wloop)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (f64.add (local.get $s0) (local.get $s1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $slots))))

  ;; The m best of the kept scores, by histogram: min and max over the slots whose keep byte is set, a histogram
  ;; of `buckets` (i32 counts at $hist), the highest bucket from which at least m slots score; the ids of the kept
  ;; slots in that bucket or above go to $ids (i32), in id order. Returns how many; the caller sorts those few.
  ;; Fewer than m kept (or all equal): every kept id.
  (func (export "selectTop") (param $scores i32) (param $keep i32) (param $n i32) (param $m i32) (param $hist i32)
    (param $buckets i32) (param $ids i32) (result i32)
    (local $i i32) (local $s f64) (local $lo f64) (local $hi f64) (local $count i32) (local $scale f64)
    (local $floor i32) (local $seen i32) (local $b i32) (local $out i32)
    (local.set $lo (f64.const inf))
    (local.set $hi (f64.const -inf))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.load8_u (i32.add (local.get $keep) (local.get $i)))
        (then
          (local.set $s (f64.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 3)))))
          (if (f64.lt (local.get $s) (local.get $lo)) (then (local.set $lo (local.get $s))))
          (if (f64.gt (local.get $s) (local.get $hi)) (then (local.set $hi (local.get $s))))
          (local.set $count (i32.add (local.get $count) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1)))
    (local.set $floor (i32.const -1))
    (if (i32.and (i32.gt_u (local.get $count) (local.get $m)) (f64.gt (local.get $hi) (local.get $lo)))
      (then
        (local.set $scale (f64.div (f64.convert_i32_u (i32.sub (local.get $buckets) (i32.const 1))) (f64.sub (local.get $hi) (local.get $lo))))
        (memory.fill (local.get $hist) (i32.const 0) (i32.shl (local.get $buckets) (i32.const 2)))
        (local.set $i (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $i) (local.get $n)))
          (if (i32.load8_u (i32.add (local.get $keep) (local.get $i)))
            (then
              (local.set $b (i32.add (local.get $hist) (i32.shl (i32.trunc_sat_f64_s (f64.floor (f64.mul
                (f64.sub (f64.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 3)))) (local.get $lo))
                (local.get $scale)))) (i32.const 2))))
              (i32.store (local.get $b) (i32.add (i32.load (local.get $b)) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l2)))
        (local.set $floor (i32.sub (local.get $buckets) (i32.const 1)))
        (block $d3 (loop $l3
          (br_if $d3 (i32.le_s (local.get $floor) (i32.const 0)))
          (local.set $seen (i32.add (local.get $seen) (i32.load (i32.add (local.get $hist) (i32.shl (local.get $floor) (i32.const 2))))))
          (br_if $d3 (i32.ge_u (local.get $seen) (local.get $m)))
          (local.set $floor (i32.sub (local.get $floor) (i32.const 1)))
          (br $l3)))))
    (local.set $i (i32.const 0))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.load8_u (i32.add (local.get $keep) (local.get $i)))
        (then
          (if (i32.ge_s
                (if (result i32) (i32.lt_s (local.get $floor) (i32.const 0))
                  (then (i32.const 0))
                  (else (i32.trunc_sat_f64_s (f64.floor (f64.mul
                    (f64.sub (f64.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 3)))) (local.get $lo))
                    (local.get $scale))))))
                (local.get $floor))
            (then
              (i32.store (i32.add (local.get $ids) (i32.shl (local.get $out) (i32.const 2))) (local.get $i))
              (local.set $out (i32.add (local.get $out) (i32.const 1)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l4)))
    (local.get $out))
)
