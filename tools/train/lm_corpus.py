"""The text world of shapes-lm-v1: prompts for shapes-v1, scene descriptions and tiny stories about the shapes,
and the caption grammar that judges whether a written prompt is one shapes-v1 can draw.

Three kinds of document, each ended by <|endoftext|> in training:
  Prompt: a small red circle on the left on a blue background
  Scene: There is a large green star in the centre. A small white ring is at the top left. The background is grey.
  Story: The small red circle rolled to the left. It met a blue square. ...
"""
import re
import numpy as np

import world

SHAPES, COLOURS, PLACES, SIZES, PLURALS = world.SHAPES, world.COLOURS, world.PLACES, world.SIZES, world.PLURALS
BACKGROUNDS = world.BACKGROUNDS
PLACE_PHRASE = world.PLACE_PHRASE
EOT = '<|endoftext|>'
PROMPT_PREFIX = 'Prompt:'

MOVES = ['rolled', 'slid', 'jumped', 'floated', 'drifted', 'hopped', 'moved']
TOWARDS = {'top left': 'to the top left', 'top': 'to the top', 'top right': 'to the top right', 'left': 'to the left',
           'centre': 'into the centre', 'right': 'to the right', 'bottom left': 'to the bottom left',
           'bottom': 'to the bottom', 'bottom right': 'to the bottom right'}
FEELINGS = ['happy', 'sleepy', 'curious', 'shy', 'brave', 'tired', 'glad']


def prompt_doc(rng):
    sc = world.sample_scene(rng, single_split=None)
    return f'{PROMPT_PREFIX} {world.caption(sc, rng)}'


def _there_is(o, rng):
    a = world.obj_phrase(o, rng, with_place=False)
    where = PLACE_PHRASE[o['place']]
    forms = [f'There is {a} {where}.', f'{a[0].upper() + a[1:]} is {where}.', f'{where[0].upper() + where[1:]} there is {a}.']
    return forms[rng.integers(len(forms))]


def scene_doc(rng):
    sc = world.sample_scene(rng, single_split=None)
    parts = [_there_is(o, rng) for o in sc['objects']]
    bg = sc['bg']
    bgs = [f'The background is {bg}.', f'Everything sits on a {bg} background.', f'Behind them the picture is {bg}.']
    if len(sc['objects']) == 1:
        bgs[1] = f'It sits on a {bg} background.'
        bgs[2] = f'Behind it the picture is {bg}.'
    parts.append(bgs[rng.integers(3)])
    if rng.random() < 0.3:
        parts.insert(0, ['In this picture:', 'Look at this picture.', 'Here is a picture.'][rng.integers(3)])
    return 'Scene: ' + ' '.join(parts)


def _name(o, with_size=True):
    return ('the ' + (o['size'] + ' ' if with_size else '') + o['colour'] + ' ' + o['shape'])


def story_doc(rng):
    sc = world.sample_scene(rng, n=int(rng.choice([1, 2], p=[0.4, 0.6])), single_split=None)
    a = sc['objects'][0]
    lines = []
    opener = [f'Once there was {world.obj_phrase(a, rng)}.', f'{world.obj_phrase(a, rng, with_place=False)[0].upper()}'
              f'{world.obj_phrase(a, rng, with_place=False)[1:]} lived {PLACE_PHRASE[a["place"]]}.']
    lines.append(opener[rng.integers(2)])
    lines.append(f'It was {FEELINGS[rng.integers(len(FEELINGS))]}.' if rng.random() < 0.5 else f'The picture around it was {sc["bg"]}.')
    here = a['place']
    for _ in range(int(rng.integers(1, 4))):
        r = rng.random()
        if r < 0.45:
            to = PLACES[rng.integers(len(PLACES))]
            if to == here:
                continue
            lines.append(f'{_name(a).capitalize()} {MOVES[rng.integers(len(MOVES))]} {TOWARDS[to]}.')
            here = to
        elif r < 0.6:
            new = 'large' if a['size'] == 'small' else 'small'
            lines.append(f'Then it grew {new}.' if new == 'large' else 'Then it became small.')
            a = dict(a, size=new)
        elif r < 0.75:
            c = COLOURS[rng.integers(len(COLOURS))]
            if c == a['colour']:
                continue
            lines.append(f'Suddenly it turned {c}.')
            a = dict(a, colour=c)
        elif len(sc['objects']) > 1:
            b = sc['objects'][1]
            verb = ['met', 'chased', 'waved at', 'hid behind', 'danced with'][rng.integers(5)]
            lines.append(f'{_name(a, with_size=False).capitalize()} {verb} {world.obj_phrase(b, rng, with_place=False)}.')
        else:
            lines.append(f'It spun around {PLACE_PHRASE[here]}.')
    endings = ['The end.', f'Now it rests {PLACE_PHRASE[here]}.', 'And that was a good day.', f'{_name(a).capitalize()} smiled.']
    lines.append(endings[rng.integers(len(endings))])
    return 'Story: ' + ' '.join(lines)


def document(rng):
    r = rng.random()
    if r < 0.5:
        return prompt_doc(rng)
    if r < 0.75:
        return scene_doc(rng)
    return story_doc(rng)


def documents(n, seed):
    rng = np.random.default_rng(seed)
    return [document(rng) for _ in range(n)]


# ------------------------------------------------------------------ the caption grammar (what shapes-v1 was trained on)

_S = '|'.join(SHAPES)
_C = '|'.join(COLOURS)
_B = '|'.join(BACKGROUNDS)
_Z = '|'.join(SIZES)
_P = '|'.join(sorted(PLACES, key=len, reverse=True))
_PP = '|'.join(sorted(PLACE_PHRASE.values(), key=len, reverse=True))
_PL = '|'.join(PLURALS.values())
_OBJ_FULL = rf'a (?:{_Z}) (?:{_C}) (?:{_S}) (?:{_PP})'
_OBJ_BARE = rf'(?:{_C}) (?:{_S})'
_OBJ_COMPACT = rf'(?:{_Z}) (?:{_C}) (?:{_S}) (?:{_P})'
_OBJ_ART = rf'a (?:(?:{_Z}) )?(?:{_C}) (?:{_S})'
_GRAMMAR = [
    rf'(?:two|three) (?:{_Z}) (?:{_C}) (?:{_PL})(?:, (?:{_B}) background| on a (?:{_B}) background)',
    rf'{_OBJ_FULL}(?: and {_OBJ_FULL})* on a (?:{_B}) background',
    rf'{_OBJ_BARE}(?:, {_OBJ_BARE})*, (?:{_B}) background',
    rf'{_OBJ_COMPACT}(?:, {_OBJ_COMPACT})*, (?:{_B}) background',
    rf'{_OBJ_FULL}(?: and {_OBJ_FULL})*',
    rf'{_OBJ_ART}(?: and {_OBJ_ART})*',
    rf'{_OBJ_COMPACT}(?:, {_OBJ_COMPACT})* on (?:{_B})',
]
_GRAMMAR_RE = re.compile('^(?:' + '|'.join(f'(?:{g})' for g in _GRAMMAR) + ')$')


def parses(caption):
    """True when a caption is one of the phrasings shapes-v1 was trained on, naming only known words."""
    return bool(_GRAMMAR_RE.match(caption.strip()))


if __name__ == '__main__':
    rng = np.random.default_rng(0)
    for _ in range(4):
        print(prompt_doc(rng))
        print(scene_doc(rng))
        print(story_doc(rng))
    caps = [world.caption(world.sample_scene(rng, single_split=None), rng) for _ in range(5000)]
    bad = [c for c in caps if not parses(c)]
    print('grammar covers', 1 - len(bad) / len(caps), bad[:5])
    assert not bad
    assert not parses('a large red dragon on the left') and not parses('a large red circle on the moon')
