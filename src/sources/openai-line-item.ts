/**
 * OpenAI cost `line_item` is free text: `[tier | ]<model>[ <modality>], <input|output|cached input|cache writes>[, long context]`.
 * Items without a comma ("web search tool calls", "Vector storage") have no model.
 */
export const lineItemModel = (li: string): string =>
  `CASE WHEN strpos(${li}, ', ') > 0 THEN nullif(regexp_extract(${li}, '^(?:[A-Za-z_-]+ \\| )?([^, |]+)', 1), '') END`;
export const lineItemTokenType = (li: string): string => `nullif(regexp_extract(${li}, ', ([^,]+)', 1), '')`;
export const lineItemTier = (li: string): string => `nullif(regexp_extract(${li}, '^([A-Za-z_-]+) \\| ', 1), '')`;
