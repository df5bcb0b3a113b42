// esbuild loads the operations as text (--loader:.graphql=text).
declare module '*.graphql' {
  const text: string;
  export default text;
}
