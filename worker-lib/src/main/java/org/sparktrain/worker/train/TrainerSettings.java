package org.sparktrain.worker.train;

import java.io.Serializable;
import org.sparktrain.worker.augment.ImageAugmenter;
import org.sparktrain.worker.text.MaskingPolicy;

/**
 * Everything a worker needs besides its shard and the snapshot; fixed for the whole run.
 *
 * @param configJson the DL4J network configuration (architecture and optimizer)
 * @param outputWidth width of the network output: classes for one-hot labels, else 1
 * @param threadsPerWorker ND4J/BLAS threads each task may use; tasks sharing an executor's cores
 *     must not each start one thread per core
 * @param languageModel rows are token blocks trained on next-token prediction
 * @param masking for masked-language models (BERT): how tokens are masked; else null
 * @param augmenter random image augmentation of training batches; null for none
 * @param padToken text classifiers: the [PAD] id that fills token rows (masked out); -1 for
 *     every other model
 */
public record TrainerSettings(String configJson, EpochSchedule schedule, boolean oneHotLabels,
    int outputWidth, long seed, int threadsPerWorker, boolean languageModel,
    MaskingPolicy masking, ImageAugmenter augmenter, int padToken) implements Serializable {}
