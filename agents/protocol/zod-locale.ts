import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';

/**
 * zod/mini carries no error messages of its own (classic zod installs English on import); without
 * this, every issue the agent returns in `invalid-input` would read "Invalid input". Only the
 * English locale is bundled. Imported for its effect by every protocol module that builds schemas,
 * so it runs before the first parse, on the agent and in the console alike.
 */
z.config(en());
