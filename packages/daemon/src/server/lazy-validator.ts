import AjvCompiler from '@fastify/ajv-compiler';

type BuildCompilerFromPool = AjvCompiler.BuildCompilerFromPool;
type ValidatorCompiler = ReturnType<BuildCompilerFromPool>;
type Validate = ReturnType<ValidatorCompiler>;

/**
 * Fastify's own ajv validator compiler, but each route's schema is compiled on the route's first request
 * instead of at start-up: creating ajv and compiling the container-create schema took ~80 ms and ~4 MB
 * that a daemon answering only `ps` or `version` never needs (DESIGN §7). Validation itself is unchanged.
 */
export function lazyValidatorFactory(): BuildCompilerFromPool {
  const fastifyDefault = AjvCompiler();
  return (externalSchemas, options) => {
    let compile: ValidatorCompiler | undefined;
    return (route) => {
      let validate: Validate | undefined;
      const lazy = (data: unknown): unknown => {
        compile ??= fastifyDefault(externalSchemas, options);
        validate ??= compile(route);
        const result = validate(data);
        // Fastify reads the failures from the function it was given, as ajv leaves them on its own.
        lazy.errors = validate.errors;
        return result;
      };
      lazy.errors = undefined as Validate['errors'];
      return lazy as Validate;
    };
  };
}
