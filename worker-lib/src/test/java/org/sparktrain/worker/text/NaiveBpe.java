package org.sparktrain.worker.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** minbpe's training loop, recounting every pair for every merge: the reference for tests. */
final class NaiveBpe {
  private NaiveBpe() {}

  static List<long[]> merges(String text, int maxMerges) {
    List<int[]> chunks = new ArrayList<>();
    BpeTokenizer.forEachChunk(Pattern.compile(BpeTokenizer.GPT2_SPLIT_PATTERN), text, c -> {
      byte[] b = c.getBytes(StandardCharsets.UTF_8);
      int[] ids = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        ids[i] = b[i] & 0xff;
      }
      chunks.add(ids);
    });
    List<long[]> merges = new ArrayList<>();
    for (int r = 0; r < maxMerges; r++) {
      // TreeMap over (left, right): the first maximum found is the smallest pair, as the rule.
      Map<List<Integer>, Long> counts = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
          ? Integer.compare(a.get(1), b.get(1)) : Integer.compare(a.get(0), b.get(0)));
      for (int[] ids : chunks) {
        for (int i = 0; i + 1 < ids.length; i++) {
          counts.merge(List.of(ids[i], ids[i + 1]), 1L, Long::sum);
        }
      }
      List<Integer> best = null;
      long bestCount = 0;
      for (Map.Entry<List<Integer>, Long> e : counts.entrySet()) {
        if (e.getValue() > bestCount) {
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      if (best == null) {
        break;
      }
      merges.add(new long[] {best.get(0), best.get(1)});
      for (int c = 0; c < chunks.size(); c++) {
        int[] ids = chunks.get(c).clone();
        int n = BpeTokenizer.mergePair(ids, ids.length, best.get(0), best.get(1), 256 + r);
        chunks.set(c, Arrays.copyOf(ids, n));
      }
    }
    return merges;
  }
}
