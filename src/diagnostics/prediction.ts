/**
 * Accuracy of predictions of masked records (cross-validation): Pearson's correlation of observed
 * and predicted, the regression slope of observed on predicted (1 when the predictions are neither
 * inflated nor shrunk too much; Legarra & Reverter 2018), the mean squared error, and for a binary
 * trait the area under the ROC curve (the Mann–Whitney statistic, ties counted half).
 */

/** Centred sums of squares and cross-products of two equally long series. */
export function crossMoments(a: ArrayLike<number>, b: ArrayLike<number>): { saa: number; sbb: number; sab: number } {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  return { saa, sbb, sab };
}

/** Pearson's correlation of two equally long series (NaN when either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { saa, sbb, sab } = crossMoments(a, b);
  return sab / Math.sqrt(saa * sbb);
}

/**
 * The area under the ROC curve of `score` for the labels (1 positive, 0 negative): the probability
 * that a positive scores above a negative, ties counted half. NaN without both classes.
 */
export function auc(score: ArrayLike<number>, label: ArrayLike<number>): number {
  const order = Array.from({ length: score.length }, (_, i) => i).sort((x, y) => score[x] - score[y]);
  // average ranks over ties, then the Mann–Whitney U of the positives
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && score[order[j + 1]] === score[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (label[order[k]] === 1) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** How well `predicted` predicts `observed`. */
export interface PredictionAccuracy {
  records: number;
  correlation: number;
  /** b in observed = a + b·predicted. */
  slope: number;
  mse: number;
  /** Binary traits only. */
  auc?: number;
}

export function predictionAccuracy(observed: ArrayLike<number>, predicted: ArrayLike<number>, binary: boolean): PredictionAccuracy {
  const { saa, sbb, sab } = crossMoments(observed, predicted);
  let sse = 0;
  for (let i = 0; i < observed.length; i++) sse += (observed[i] - predicted[i]) ** 2;
  return {
    records: observed.length,
    correlation: sab / Math.sqrt(saa * sbb),
    slope: sab / sbb,
    mse: sse / observed.length,
    ...(binary ? { auc: auc(predicted, observed) } : {}),
  };
}
