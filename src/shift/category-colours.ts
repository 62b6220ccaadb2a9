/**
 * @module shift/category-colours
 * The colour of each rank category (unshifted, marginal, shifted), shared by
 * the split bars of both report pages and the token colouring in the shift
 * report's CSS.
 */

export const categoryColours = { unshifted: "#d9e7d2", marginal: "#f4c761", shifted: "#e0564b" } as const;
