/** The one rule for which ids name a model, shared by the registry and the page's checks. */
import { describe, expect, it } from 'vitest';
import { lightRankOf, modelIdCheck, modelIdProblem, unknownModelMessage } from '../../src/lab/registry/model-id';
import { findModel, MODEL_REGISTRY, UnknownModelError } from '../../src/lab/registry';

describe('model ids', () => {
  it('reads the rank of light-kN for any N ≥ 1, and nothing else', () => {
    expect(lightRankOf('light-k1')).toBe(1);
    expect(lightRankOf('light-k12')).toBe(12);
    for (const id of ['light-k0', 'light-k01', 'light-k', 'cnn', 'xlight-k2']) expect(lightRankOf(id)).toBeNull();
  });

  it('accepts listed ids and any light-kN, and refuses others by name', () => {
    expect(modelIdProblem('cnn', ['cnn'])).toBeNull();
    expect(modelIdProblem('light-k9', ['cnn'])).toBeNull();
    expect(modelIdProblem('resnet', ['cnn'])).toBe('unknown model id "resnet"');
  });

  it('checks nothing until the list of ids is known', () => {
    expect(modelIdCheck([])).toBeUndefined();
    expect(modelIdCheck(['cnn'])?.('resnet')).toBe('unknown model id "resnet"');
  });

  it('is the rule the registry resolves by, whose error lists the known ids', () => {
    const ids = MODEL_REGISTRY.map((e) => e.id);
    for (const id of ['cnn', 'light-k7', 'resnet']) {
      const resolves = (() => {
        try {
          findModel(id);
          return true;
        } catch {
          return false;
        }
      })();
      expect(resolves).toBe(modelIdProblem(id, ids) == null);
    }
    expect(() => findModel('resnet')).toThrow(new UnknownModelError('resnet', ids));
    expect(new UnknownModelError('resnet', ids).message).toBe(unknownModelMessage('resnet', ids));
    expect(unknownModelMessage('resnet', ['cnn'])).toBe(
      'unknown model id "resnet"; known ids: cnn (light-kN works for any rank N ≥ 1)',
    );
  });
});
