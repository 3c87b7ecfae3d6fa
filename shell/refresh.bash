case ";${PROMPT_COMMAND-};" in
    *";__rsume_refresh;"*) ;;
    *) PROMPT_COMMAND="__rsume_refresh${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac
