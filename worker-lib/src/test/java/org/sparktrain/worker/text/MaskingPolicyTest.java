package org.sparktrain.worker.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskingPolicyTest {
  private static final int VOCAB = 1005;
  private static final SpecialTokens SPECIALS = SpecialTokens.appendedAt(1000);
  private static final MaskingPolicy BERT = new MaskingPolicy(SPECIALS, VOCAB, 0.15, 0.8, 0.1);

  /** [CLS] random regular tokens with a [SEP] every 50 and [PAD] at the end. */
  private static int[] block(int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] tokens = new int[length];
    for (int i = 0; i < length; i++) {
      tokens[i] = random.nextInt(1000);
    }
    tokens[0] = SPECIALS.cls();
    for (int i = 50; i < length; i += 50) {
      tokens[i] = SPECIALS.sep();
    }
    for (int i = length - 100; i < length; i++) {
      tokens[i] = SPECIALS.pad();
    }
    return tokens;
  }

  @Test
  void proportionsOnALargeBlockMatchBert() {
    int[] tokens = block(100_000, 1);
    int eligible = 0;
    for (int t : tokens) {
      eligible += SPECIALS.isSpecial(t) ? 0 : 1;
    }
    MaskedBlock m = BERT.apply(tokens, 7, 3, 1, 0);
    int chosen = m.predictedCount();
    assertThat(chosen).isEqualTo(Math.round(0.15 * eligible));
    int masked = 0;
    int replaced = 0;
    int kept = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (m.labelMask()[i] == 0) {
        continue;
      }
      if (m.inputs()[i] == SPECIALS.mask()) {
        masked++;
      } else if (m.inputs()[i] != tokens[i]) {
        replaced++;
      } else {
        kept++;
      }
    }
    assertThat(masked / (double) chosen).isCloseTo(0.8, offset(0.01));
    assertThat(replaced / (double) chosen).isCloseTo(0.1, offset(0.01));
    assertThat(kept / (double) chosen).isCloseTo(0.1, offset(0.01));
  }

  @Test
  void labelsAreTheOriginalsExactlyAtChosenPositionsAndSpecialsAreNeverChosen() {
    int[] tokens = block(5_000, 2);
    MaskedBlock m = BERT.apply(tokens, 7, 3, 1, 0);
    for (int i = 0; i < tokens.length; i++) {
      if (m.labelMask()[i] == 1f) {
        assertThat(m.labels()[i]).isEqualTo(tokens[i]);
        assertThat(SPECIALS.isSpecial(tokens[i])).isFalse();
      } else {
        assertThat(m.labelMask()[i]).isZero();
        assertThat(m.labels()[i]).isEqualTo(MaskedBlock.IGNORED);
        assertThat(m.inputs()[i]).isEqualTo(tokens[i]);
      }
      if (m.inputs()[i] != tokens[i] && m.inputs()[i] != SPECIALS.mask()) {
        assertThat(SPECIALS.isSpecial(m.inputs()[i])).as("random replacement").isFalse();
      }
    }
  }

  @Test
  void sameCoordinatesGiveTheSameMaskingAndOthersDiffer() {
    int[] tokens = block(1_000, 3);
    MaskedBlock a = BERT.apply(tokens, 7, 3, 1, 5);
    MaskedBlock b = BERT.apply(tokens, 7, 3, 1, 5);
    assertThat(b.inputs()).containsExactly(a.inputs());
    assertThat(b.labels()).containsExactly(a.labels());
    assertThat(b.labelMask()).containsExactly(a.labelMask());
    assertThat(BERT.apply(tokens, 7, 4, 1, 5).labelMask()).isNotEqualTo(a.labelMask());
    assertThat(BERT.apply(tokens, 7, 3, 0, 5).labelMask()).isNotEqualTo(a.labelMask());
    assertThat(BERT.apply(tokens, 7, 3, 1, 6).labelMask()).isNotEqualTo(a.labelMask());
    assertThat(BERT.apply(tokens, 8, 3, 1, 5).labelMask()).isNotEqualTo(a.labelMask());
  }

  @Test
  void aShortBlockStillGetsOnePredictionAndAllSpecialGetsNone() {
    int[] shortBlock = {SPECIALS.cls(), 17, 18, SPECIALS.sep(), SPECIALS.pad()};
    MaskedBlock m = BERT.apply(shortBlock, 1, 0, 0, 0);
    assertThat(m.predictedCount()).isEqualTo(1);
    int[] allSpecial = {SPECIALS.cls(), SPECIALS.sep(), SPECIALS.pad()};
    assertThat(BERT.apply(allSpecial, 1, 0, 0, 0).predictedCount()).isZero();
  }

  @Test
  void bertDefaultsComeFromTheTokenizer() {
    CharTokenizer t = CharTokenizer.train("hello world");
    MaskingPolicy p = MaskingPolicy.bert(t);
    assertThat(p.vocabSize()).isEqualTo(t.vocabSize());
    assertThat(p.specials()).isEqualTo(t.specialTokens());
    assertThat(p.maskFraction()).isEqualTo(0.15);
    int[] ids = t.encode("hello world hello world");
    assertThat(p.apply(ids, new SplittableRandom(1)).predictedCount()).isEqualTo(3);
  }
}
