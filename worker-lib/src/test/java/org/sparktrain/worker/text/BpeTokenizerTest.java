package org.sparktrain.worker.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

class BpeTokenizerTest {
  private static final String TRICKY =
      "naïve — 😀\n\tcafé  \r\n   end\u0000\u2028\"quoted\"\\ 日本語";

  @Test
  void wikipediaExampleGivesTheHandComputedMerges() {
    // aaabdaaabac: (a,a) occurs 4 times -> 256 "aa". Then (256,a) and (a,b) occur twice each;
    // the tie goes to the smaller left id, (a,b) -> 257. Then (256,257) twice -> 258 "aaab".
    BpeTokenizer t = BpeTokenizer.train("aaabdaaabac", 256 + 3 + 5);
    assertThat(t.mergeCount()).isEqualTo(3);
    assertThat(t.merge(0)).containsExactly('a', 'a');
    assertThat(t.merge(1)).containsExactly('a', 'b');
    assertThat(t.merge(2)).containsExactly(256, 257);
    assertThat(t.encode("aaabdaaabac")).containsExactly(258, 'd', 258, 'a', 'c');
    assertThat(new String(t.tokenBytes(258), StandardCharsets.US_ASCII)).isEqualTo("aaab");
    assertThat(t.specialTokens()).isEqualTo(SpecialTokens.appendedAt(259));
  }

  @Test
  void trainingStopsWhenNoPairIsLeft() {
    BpeTokenizer t = BpeTokenizer.train("abc", 1000);
    assertThat(t.mergeCount()).isEqualTo(2);
    assertThat(t.vocabSize()).isEqualTo(256 + 2 + 5);
    assertThat(t.encode("abc")).containsExactly(257);
  }

  @Test
  void mergesNeverCrossAChunk() {
    // Without the split, "d." and "g!" style pairs across word ends would be learned.
    BpeTokenizer t = BpeTokenizer.train("dog. dog! dog. dog! dog?", 300);
    for (int r = 0; r < t.mergeCount(); r++) {
      String token = new String(t.tokenBytes(256 + r), StandardCharsets.UTF_8);
      assertThat(token).doesNotMatch(".*\\p{L}\\p{Punct}.*");
    }
    assertThat(t.decode(new int[] {t.encode(" dog")[0]})).isEqualTo(" dog");
  }

  @Test
  void encodeThenDecodeGivesTheTextBackExactly() {
    String corpus = EnglishLikeText.generate(50_000, 1) + TRICKY;
    BpeTokenizer t = BpeTokenizer.train(corpus, 600);
    assertThat(t.decode(t.encode(corpus))).isEqualTo(corpus);
    assertThat(t.decode(t.encode(TRICKY))).isEqualTo(TRICKY);
    String unseen = "Ünïcödé never seen: ζωή, мир, 🚀🚀  \t\t\n\n";
    assertThat(t.decode(t.encode(unseen))).isEqualTo(unseen);
    assertThat(t.encode(corpus)).doesNotContain(t.specialTokens().unk());
  }

  @Test
  void encodingAppliesMergesInRankOrderLikeTraining() {
    String corpus = EnglishLikeText.generate(30_000, 2);
    BpeTokenizer t = BpeTokenizer.train(corpus, 500);
    // Encoding merges the lowest-ranked pair first, so a merge learned late never hides an
    // earlier one: re-encoding a token's own bytes gives that single token.
    for (int id = 256; id < 256 + t.mergeCount(); id++) {
      String text = new String(t.tokenBytes(id), StandardCharsets.UTF_8);
      int[] ids = t.encode(text);
      assertThat(ids).as("token %d %s", id, text).containsExactly(id);
    }
  }

  @Test
  void incrementalTrainingEqualsNaiveRecountingEveryMerge() {
    String corpus = EnglishLikeText.generate(20_000, 3) + TRICKY + " aaaa aaaaa aaa";
    BpeTokenizer fast = BpeTokenizer.train(corpus, 700);
    List<long[]> naive = NaiveBpe.merges(corpus, 700 - 261);
    assertThat(fast.mergeCount()).isEqualTo(naive.size());
    for (int r = 0; r < naive.size(); r++) {
      assertThat(fast.merge(r)).as("merge %d", r)
          .containsExactly((int) naive.get(r)[0], (int) naive.get(r)[1]);
    }
  }

  @Test
  void jsonRoundTripGivesIdenticalEncodings() {
    String corpus = EnglishLikeText.generate(20_000, 4) + TRICKY;
    BpeTokenizer t = BpeTokenizer.train(corpus, 400);
    String json = t.toJson();
    assertThat(json).matches("[\\x20-\\x7e]*");
    Tokenizer back = Tokenizer.fromJson(json);
    assertThat(back).isInstanceOf(BpeTokenizer.class);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.vocabSize()).isEqualTo(t.vocabSize());
    assertThat(back.encode(corpus)).containsExactly(t.encode(corpus));
    assertThat(back.decode(t.encode(TRICKY))).isEqualTo(TRICKY);
  }

  @Test
  void trainingIsDeterministic() {
    String corpus = EnglishLikeText.generate(20_000, 5);
    assertThat(BpeTokenizer.train(corpus, 400).toJson())
        .isEqualTo(BpeTokenizer.train(corpus, 400).toJson());
  }

  @Test
  void fourThousandTokensFromAMegabyteTrainInSeconds(TestReporter report) {
    String corpus = EnglishLikeText.generate(1_000_000, 6);
    long start = System.nanoTime();
    BpeTokenizer t = BpeTokenizer.train(corpus, 4000);
    double trainS = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    int[] ids = t.encode(corpus);
    double encodeS = (System.nanoTime() - start) / 1e9;
    report.publishEntry("bpe", String.format("train 4000 on 1 MB: %.2f s, encode: %.2f s, "
        + "%.2f chars/token", trainS, encodeS, corpus.length() / (double) ids.length));
    assertThat(t.vocabSize()).isEqualTo(4000);
    assertThat(trainS).isLessThan(60);
    assertThat(t.decode(ids)).isEqualTo(corpus);
  }

  /** A BPE tokenizer file as sparktrain writes it, with the given pattern and merges. */
  private static String bpeJson(String pattern, int[][] merges) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", "bpe");
    fields.put("version", 1);
    fields.put("pattern", pattern);
    fields.put("merges", merges);
    fields.put("specialTokens", SpecialTokens.NAMES);
    return TokenizerJson.write(fields);
  }

  @Test
  void corruptMergesAreRefused() {
    String json = bpeJson(BpeTokenizer.GPT2_SPLIT_PATTERN, new int[][] {{97, 256}});
    assertThatThrownBy(() -> Tokenizer.fromJson(json))
        .hasMessageContaining("merge 0 (97, 256) must join two ids below its own id 256");
    assertThatThrownBy(() -> BpeTokenizer.train("abc", 260))
        .hasMessageContaining("vocabSize must be >= 261");
  }

  @Test
  void aTokenizerFileFromAnyoneIsBounded() {
    // A pattern of its own would run on every text: (a+)+$ backtracks exponentially.
    assertThatThrownBy(() -> Tokenizer.fromJson(bpeJson("(a+)+$", new int[0][])))
        .hasMessageContaining("is not sparktrain's pre-split pattern");
    // Thirty merges, each doubling the last token: a gigabyte token unchecked.
    int[][] doubling = new int[30][];
    doubling[0] = new int[] {97, 97};
    for (int r = 1; r < doubling.length; r++) {
      doubling[r] = new int[] {255 + r, 255 + r};
    }
    assertThatThrownBy(() -> Tokenizer.fromJson(bpeJson(BpeTokenizer.GPT2_SPLIT_PATTERN,
        doubling))).hasMessageContaining("merge 16 makes a token of 131072 bytes");
    // Nesting deep enough to overflow a recursive parser's stack is refused before parsing.
    assertThatThrownBy(() -> Tokenizer.fromJson("{\"merges\":" + "[".repeat(100_000)))
        .hasMessageContaining("nests deeper than 8 levels");
  }
}
