package org.sparktrain.worker.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlockPackerTest {
  private static final int SEP = 100;
  private static final int PAD = 101;

  @Test
  void blocksHoldTPlusOneTokensAndTargetsAreInputsShiftedByOne() {
    // Stream: 1 2 3 SEP 4 5 SEP 6 7 8 9 SEP (12 tokens); T = 4, blocks start at 0, 4, 8.
    BlockPacker packer = new BlockPacker(4, SEP, BlockPacker.LastBlock.DROP, PAD);
    TokenBlocks blocks = packer.pack(List.of(new int[] {1, 2, 3}, new int[] {4, 5},
        new int[] {6, 7, 8, 9}));
    assertThat(blocks.count()).isEqualTo(2);
    assertThat(blocks.blockLength()).isEqualTo(5);
    assertThat(blocks.tokens()).hasSize(10);
    assertThat(blocks.block(0)).containsExactly(1, 2, 3, SEP, 4);
    assertThat(blocks.block(1)).containsExactly(4, 5, SEP, 6, 7);
    assertThat(blocks.inputs(1)).containsExactly(4, 5, SEP, 6);
    assertThat(blocks.targets(1)).containsExactly(5, SEP, 6, 7);
    for (int b = 0; b < blocks.count(); b++) {
      int[] x = blocks.inputs(b);
      int[] y = blocks.targets(b);
      for (int i = 0; i + 1 < x.length; i++) {
        assertThat(y[i]).isEqualTo(x[i + 1]);
      }
    }
  }

  @Test
  void paddingKeepsTheLastPartialBlock() {
    BlockPacker packer = new BlockPacker(4, SEP, BlockPacker.LastBlock.PAD, PAD);
    TokenBlocks blocks = packer.pack(List.of(new int[] {1, 2, 3}, new int[] {4, 5},
        new int[] {6, 7, 8, 9}));
    assertThat(blocks.count()).isEqualTo(3);
    assertThat(blocks.block(2)).containsExactly(7, 8, 9, SEP, PAD);
    assertThat(blocks.targets(2)).containsExactly(8, 9, SEP, PAD);
  }

  @Test
  void everyTokenAfterTheFirstIsATargetExactlyOnceWhenTheStreamFits() {
    // 8 tokens + 1 separator = 9 = 2 * T + 1 with T = 4: two full blocks, nothing dropped.
    BlockPacker packer = new BlockPacker(4, SEP, BlockPacker.LastBlock.PAD, PAD);
    TokenBlocks blocks = packer.pack(List.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}));
    assertThat(blocks.count()).isEqualTo(2);
    assertThat(blocks.targets(0)).containsExactly(2, 3, 4, 5);
    assertThat(blocks.targets(1)).containsExactly(6, 7, 8, SEP);
  }

  @Test
  void aStreamShorterThanOneBlockGivesNothingOrOnePaddedBlock() {
    List<int[]> docs = List.of(new int[] {1, 2});
    assertThat(new BlockPacker(8, SEP, BlockPacker.LastBlock.DROP, PAD).pack(docs).count())
        .isZero();
    TokenBlocks padded = new BlockPacker(8, SEP, BlockPacker.LastBlock.PAD, PAD).pack(docs);
    assertThat(padded.count()).isEqualTo(1);
    assertThat(padded.block(0)).containsExactly(1, 2, SEP, PAD, PAD, PAD, PAD, PAD, PAD);
  }

  @Test
  void separatorAndPaddingComeFromTheTokenizer() {
    CharTokenizer t = CharTokenizer.train("ab");
    BlockPacker packer = BlockPacker.forTokenizer(t, 3, BlockPacker.LastBlock.PAD);
    assertThat(packer.separatorId()).isEqualTo(t.specialTokens().sep());
    assertThat(packer.padId()).isEqualTo(t.specialTokens().pad());
  }
}
