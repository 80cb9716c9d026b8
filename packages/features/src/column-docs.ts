/**
 * What each column of the extraction means, and its unit: documentation the ground truth cannot
 * give, written once here and copied into the contract by `pnpm contract:derive` (the API document
 * shows it). After the Tennis Australia "AO to Predict" data the ground truth follows: the last
 * shot of the point, the shot before it, and where both players stood.
 */
export interface ColumnDoc {
  description: string;
  /** SI unit of a measurement; absent for counts, codes, categories and flags. */
  unit?: 'm' | 'm/s' | 's';
}

export const COLUMN_DOCS: Record<string, ColumnDoc> = {
  rally: { description: 'Number of shots in the point, the serve included.' },
  serve: { description: 'Whether the point was played on the first (1) or the second (2) serve.' },
  hitpoint: { description: 'How the last shot was struck: F forehand, B backhand, V volley, U unknown.' },
  speed: { description: 'Speed of the ball on the last shot.', unit: 'm/s' },
  'net.clearance': { description: 'Height of the last shot above the top of the net (negative: below it).', unit: 'm' },
  'distance.from.sideline': { description: 'Distance of the last shot from the nearest sideline where it landed.', unit: 'm' },
  depth: { description: 'Distance of the last shot from the baseline where it landed.', unit: 'm' },
  'outside.sideline': { description: 'Whether the last shot landed outside a sideline.' },
  'outside.baseline': { description: 'Whether the last shot landed beyond the baseline.' },
  'player.distance.travelled': { description: 'How far the player who hit the last shot moved between the two last shots.', unit: 'm' },
  'player.impact.depth': { description: 'Distance from the net of the player who hit the last shot, when hitting it.', unit: 'm' },
  'player.impact.distance.from.center': { description: 'Distance from the centre line of the player who hit the last shot, when hitting it.', unit: 'm' },
  'player.depth': { description: 'Distance from the net of the player who hit the last shot, when the opponent hit the shot before.', unit: 'm' },
  'player.distance.from.center': { description: 'Distance from the centre line of that player, when the opponent hit the shot before.', unit: 'm' },
  'previous.speed': { description: 'Speed of the ball on the shot before the last.', unit: 'm/s' },
  'previous.net.clearance': { description: 'Height of the shot before the last above the top of the net.', unit: 'm' },
  'previous.distance.from.sideline': { description: 'Distance of the shot before the last from the nearest sideline where it landed.', unit: 'm' },
  'previous.depth': { description: 'Distance of the shot before the last from the baseline where it landed.', unit: 'm' },
  'opponent.depth': { description: 'Distance from the net of the opponent when the last shot was hit.', unit: 'm' },
  'opponent.distance.from.center': { description: 'Distance from the centre line of the opponent when the last shot was hit.', unit: 'm' },
  'same.side': { description: 'Whether both players were on the same side of the centre line when the last shot was hit.' },
  'previous.hitpoint': { description: 'How the shot before the last was struck: F, B, V or U.' },
  'previous.time.to.net': { description: 'Time the shot before the last took to reach the net.', unit: 's' },
  'server.is.impact.player': { description: 'Whether the player who hit the last shot had served the point.' },
  id: { description: 'Identifier of the point (kept with the point, not a feature).' },
  outcome: { description: 'How the point ended: W winner, FE forced error, UE unforced error (the target).' },
};
