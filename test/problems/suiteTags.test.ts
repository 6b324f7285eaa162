// suite({tags}): an unknown (e.g. misspelt) tag throws, naming it and the known tags, as an unknown family does.
import { describe, expect, it } from 'vitest';
import { suite } from '../../problems/index.js';

describe('suite tag filter', () => {
  it('throws on a tag no default problem carries, naming it and listing the known tags', () => {
    expect(() => suite({ tags: ['populaton'] })).toThrow(/populaton: unknown problem tag; known tags: .*population/);
    expect(() => suite({ family: 'nqm', tags: ['population', 'quadratc'] })).toThrow(/quadratc: unknown problem tag/);
  });

  it('known tags whose combination matches nothing give an empty list, not an error', () => {
    expect(suite({ family: 'nqm', tags: ['finite-sum'] })).toEqual([]);
    expect(suite({ family: 'nqm', tags: ['population'] }).map((e) => e.id)).toEqual(['nqm_d100_i0']);
  });
});
