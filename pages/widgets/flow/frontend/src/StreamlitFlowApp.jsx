import {
    withStreamlitConnection
} from "streamlit-component-lib"

import StreamlitFlowComponent from "./StreamlitFlowComponent";

const StreamlitFlowApp = (props) => <StreamlitFlowComponent {...props} />;

export default withStreamlitConnection(StreamlitFlowApp);
